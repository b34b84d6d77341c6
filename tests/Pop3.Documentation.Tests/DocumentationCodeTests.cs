namespace Pop3.Documentation.Tests;

/// <summary>
/// The C# of README.md and src/PACKAGE.md compiles. The rule for writers: a <c>```csharp</c> block is compiled;
/// all such blocks of one document are the files of one project (at most one of them with top-level statements,
/// like a Program.cs) that references every packed library and has the Web SDK's implicit usings. A block that is
/// a fragment, not meant to compile, is fenced <c>```csharp fragment</c>. Any other fence for C# (<c>cs</c>,
/// <c>c#</c>, <c>csharp</c> with other words) is refused, so no block escapes the compiler by accident.
/// </summary>
public sealed class DocumentationCodeTests
{
    /// <summary>The documents, for theories.</summary>
    public static TheoryData<string> Documents => new(DocumentationBlocks.Documents);

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_csharp_block_of_the_document_compiles(string document)
    {
        var blocks = DocumentationBlocks.Read(document).Where(block => block.Info == DocumentationBlocks.Compiled).ToArray();
        Assert.NotEmpty(blocks);

        var (assembly, diagnostics) = DocumentationCompilation.Compile(Path.GetFileNameWithoutExtension(document), blocks);

        Assert.True(assembly is not null, $"The ```csharp blocks of {document} do not compile:\n" + string.Join('\n', diagnostics));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_csharp_block_is_fenced_csharp_or_csharp_fragment(string document)
    {
        var misfenced = DocumentationBlocks.Read(document)
            .Where(block => DocumentationBlocks.IsCSharp(block) && block.Info is not (DocumentationBlocks.Compiled or DocumentationBlocks.Fragment));

        Assert.Empty(misfenced);
    }

    [Fact]
    public void A_block_that_does_not_compile_is_reported_at_its_line_of_the_document()
    {
        var block = new DocumentationBlock("README.md", 40, DocumentationBlocks.Compiled, "\nNoSuchType.Call();");

        var (assembly, diagnostics) = DocumentationCompilation.Compile("Broken", [block]);

        Assert.Null(assembly);
        var error = Assert.Single(diagnostics);
        Assert.Equal("CS0103", error.Id);
        var where = error.Location.GetMappedLineSpan();
        Assert.Equal(("README.md", 41), (where.Path, where.StartLinePosition.Line + 1));
    }

    [Fact]
    public void A_warning_fails_the_block_as_in_the_repository_projects()
    {
        var block = new DocumentationBlock("README.md", 1, DocumentationBlocks.Compiled, "string s = null;\nConsole.WriteLine(s);");

        var (assembly, diagnostics) = DocumentationCompilation.Compile("Warning", [block]);

        Assert.Null(assembly);
        Assert.Contains(diagnostics, d => d.Id == "CS8600");
    }

    [Fact]
    public void The_fence_marks_a_fragment_and_lines_count_from_the_document_start()
    {
        var blocks = DocumentationBlocks.Parse("doc.md", "# Title\n\n```csharp\nvar a = 1;\n```\n\n```csharp fragment\n.AddMaildir();\n```\n");

        Assert.Equal(
            [new DocumentationBlock("doc.md", 4, "csharp", "var a = 1;"), new DocumentationBlock("doc.md", 8, "csharp fragment", ".AddMaildir();")],
            blocks);
    }
}
