using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Pop3.Documentation.Tests;

/// <summary>
/// Compiles the <c>```csharp</c> blocks of one document in process with Roslyn, as the files of one project that
/// references every packed library, with the implicit usings of a <c>Microsoft.NET.Sdk.Web</c> project. Each block is
/// preceded by a <c>#line</c> directive, so a diagnostic names the document and its line.
/// </summary>
public static class DocumentationCompilation
{
    // What `dotnet new web` puts in scope (the Web SDK's implicit usings).
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Net.Http.Json;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        """;

    // The test's own assembly and the samples declare the documentation's types themselves: not references.
    private static readonly HashSet<string> NotReferenced = new(StringComparer.OrdinalIgnoreCase)
    {
        "Pop3.Documentation.Tests", "MailFolders", "SimpleTest",
    };

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    /// <summary>Compiles <paramref name="blocks"/> to an assembly in memory and returns it, or the diagnostics.</summary>
    public static (byte[]? Assembly, IReadOnlyList<Diagnostic> Diagnostics) Compile(string name, IEnumerable<DocumentationBlock> blocks)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new List<SyntaxTree> { CSharpSyntaxTree.ParseText(ImplicitUsings, options, path: "GlobalUsings.g.cs") };
        foreach (var block in blocks)
        {
            trees.Add(CSharpSyntaxTree.ParseText($"#line {block.Line} \"{block.Document}\"\n{block.Code}\n", options, path: block.Document));
        }

        var program = trees.Any(tree => tree.GetRoot().ChildNodes().OfType<GlobalStatementSyntax>().Any());
        var compilation = CSharpCompilation.Create(
            name,
            trees,
            References.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary)
                .WithNullableContextOptions(NullableContextOptions.Enable)
                // Assembly unification notes, silenced by the SDK in every project too.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));

        using var assembly = new MemoryStream();
        var result = compilation.Emit(assembly);
        var diagnostics = result.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        return (result.Success && diagnostics.Length == 0 ? assembly.ToArray() : null, diagnostics);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return [.. paths
            .Where(path => !NotReferenced.Contains(Path.GetFileNameWithoutExtension(path)))
            .Select(path => MetadataReference.CreateFromFile(path))];
    }
}
