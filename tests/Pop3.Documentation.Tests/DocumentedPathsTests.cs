using System.Text.RegularExpressions;

namespace Pop3.Documentation.Tests;

/// <summary>
/// Every repository path the Markdown documents name (<c>src/…</c>, <c>tests/…</c>, <c>docs/…</c>, <c>deploy/…</c>)
/// exists, so a moved folder or a renamed file cannot leave a command line in the documentation pointing at nothing.
/// </summary>
public sealed partial class DocumentedPathsTests
{
    /// <summary>
    /// Documents that name paths other than this repository's as it is now: the history keeps paths as they were when
    /// it was measured, and the corpus's licences name files of the repositories the messages came from.
    /// </summary>
    private static readonly string[] NotChecked = ["docs/performance-history.md", "tests/corpus/LICENSES.md"];

    /// <summary>Paths that exist only once something runs: what a fuzzing run leaves, what an operator writes.</summary>
    private static readonly string[] MadeAtRunTime = ["tests/Tools/Pop3.Fuzz/findings/", "deploy/config/pgbouncer-userlist.txt"];

    public static TheoryData<string> Documents()
    {
        var documents = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(DocumentationBlocks.Root, "*.md", SearchOption.AllDirectories)
                     .Select(file => Path.GetRelativePath(DocumentationBlocks.Root, file).Replace('\\', '/'))
                     .Where(file => !file.Split('/').Any(segment => segment is "bin" or "obj" || segment.StartsWith('.')))
                     .Where(file => !NotChecked.Contains(file))
                     .Order(StringComparer.Ordinal))
        {
            documents.Add(file);
        }

        return documents;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_repository_path_the_document_names_exists(string document)
    {
        var missing = File.ReadLines(Path.Combine(DocumentationBlocks.Root, document))
            .SelectMany((line, index) => RepositoryPath().Matches(line).Select(match => (Line: index + 1, Path: match.Value.TrimEnd('/'))))
            .Where(named => !IsMadeAtRunTime(named.Path) && !Expand(named.Path).All(Exists))
            .Select(named => $"{document}:{named.Line}: {named.Path}")
            .ToArray();

        Assert.Empty(missing);
    }

    [Fact]
    public void A_moved_path_is_reported_and_a_present_one_is_not()
    {
        Assert.True(Exists("tests/Tools/Pop3.LoadTool/compare/compare.py"));
        Assert.False(Exists("tests/Pop3.LoadTool/compare/compare.py"));
        Assert.Equal(["docs/performance-tls-table.md", "docs/performance-tls-chart.svg"], Expand("docs/performance-tls-{table.md,chart.svg}"));
        Assert.Equal(["tests/Tools/Pop3.Fuzz/fuzz.sh"], RepositoryPath().Matches("run `tests/Tools/Pop3.Fuzz/fuzz.sh 600`.").Select(match => match.Value));
        Assert.Equal(["docs/operations.md"], RepositoryPath().Matches("(see docs/operations.md, \"Fleet\")").Select(match => match.Value));
        Assert.Empty(RepositoryPath().Matches("/proc/<pid>/stat, tempfile under /tmp/pop3-compare/mail and my-docs/x"));
    }

    private static bool IsMadeAtRunTime(string path) =>
        path.Split('/').Any(segment => segment is "bin" or "obj")
        || MadeAtRunTime.Any(prefix => path == prefix.TrimEnd('/') || path.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>A file or folder, or for a last segment with <c>*</c> at least one match.</summary>
    private static bool Exists(string path)
    {
        var full = Path.Combine(DocumentationBlocks.Root, path);
        if (!path.Contains('*', StringComparison.Ordinal))
        {
            return File.Exists(full) || Directory.Exists(full);
        }

        var folder = Path.GetDirectoryName(full)!;
        return Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder, Path.GetFileName(full)).Any();
    }

    /// <summary>One brace group, as a shell expands it: <c>a-{b,c}</c> is <c>a-b</c> and <c>a-c</c>.</summary>
    private static string[] Expand(string path)
    {
        var open = path.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : path.IndexOf('}', open);
        return close < 0
            ? [path]
            : path[(open + 1)..close].Split(',').Select(part => path[..open] + part + path[(close + 1)..]).ToArray();
    }

    // A path from the repository root: not preceded by a word character, a dot, a slash or a dash (so /tmp/docs/x and
    // my-docs/x are not), and ending on a character a path ends with (not the full stop or comma after it).
    [GeneratedRegex(@"(?<![\w./-])(?:src|tests|docs|deploy)/[A-Za-z0-9._/{},*-]*[A-Za-z0-9_/*}]")]
    private static partial Regex RepositoryPath();
}
