using Markdig;
using Markdig.Syntax;

namespace Pop3.Documentation.Tests;

/// <summary>A fenced code block of a Markdown document of the repository.</summary>
/// <param name="Document">The document's path from the repository root, e.g. <c>README.md</c>.</param>
/// <param name="Line">The 1-based line of the block's first line of code.</param>
/// <param name="Info">The fence's whole info string, e.g. <c>csharp</c> or <c>csharp fragment</c>.</param>
/// <param name="Code">The code, lines joined by LF.</param>
public sealed record DocumentationBlock(string Document, int Line, string Info, string Code)
{
    /// <summary>The fence's language word, lower case.</summary>
    public string Language => Info.Split(' ', 2)[0].ToLowerInvariant();

    /// <inheritdoc />
    public override string ToString() => $"{Document}:{Line} ```{Info}";
}

/// <summary>The documents whose C# the tests compile, and their fenced blocks.</summary>
public static class DocumentationBlocks
{
    /// <summary>The info string of a C# block that is compiled.</summary>
    public const string Compiled = "csharp";

    /// <summary>The info string of a C# block that shows a fragment and is not compiled.</summary>
    public const string Fragment = "csharp fragment";

    /// <summary>The documents whose <c>```csharp</c> blocks must compile, from the repository root.</summary>
    public static readonly string[] Documents = ["README.md", "src/PACKAGE.md"];

    /// <summary>The repository's root: the folder above the test binaries that holds the solution.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Every fenced block of <paramref name="document"/>, in order.</summary>
    public static IReadOnlyList<DocumentationBlock> Read(string document) =>
        Parse(document, File.ReadAllText(Path.Combine(Root, document)));

    /// <summary>Every fenced block of the Markdown <paramref name="text"/>, named as <paramref name="document"/>.</summary>
    public static IReadOnlyList<DocumentationBlock> Parse(string document, string text) =>
        Markdown.Parse(text.ReplaceLineEndings("\n")).Descendants<FencedCodeBlock>()
            .Select(block => new DocumentationBlock(
                document,
                block.Line + 2,
                $"{block.Info} {block.Arguments}".Trim(),
                string.Join('\n', block.Lines.Lines.Take(block.Lines.Count).Select(line => line.Slice.ToString()))))
            .ToArray();

    /// <summary>True for a block in C#, whatever its fence calls the language.</summary>
    public static bool IsCSharp(DocumentationBlock block) => block.Language is "csharp" or "cs" or "c#";

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Pop3.Kestrel.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Pop3.Kestrel.sln above {AppContext.BaseDirectory}.");
    }
}
