namespace Pop3.Documentation.Tests;

/// <summary>
/// README blocks that also live as files, so they are built by the SDK and run: the synopsis (the MailFolders sample)
/// and the conformance kit's example (a test class here). Each file is the block word for word after its leading
/// comment lines.
/// </summary>
public sealed class ReadmeCopiesTests
{
    [Theory]
    [InlineData("WebApplication.CreateBuilder", "src/Samples/MailFolders/Program.cs")]
    [InlineData("class MyMaildropConformanceTests : MaildropConformanceTests", "tests/Pop3.Documentation.Tests/ReadmeConformanceTests.cs")]
    public void The_readme_block_is_the_file_word_for_word(string blockContaining, string file)
    {
        var block = Assert.Single(
            DocumentationBlocks.Read("README.md"),
            block => block.Info == DocumentationBlocks.Compiled && block.Code.Contains(blockContaining, StringComparison.Ordinal));
        var code = File.ReadAllLines(Path.Combine(DocumentationBlocks.Root, file))
            .SkipWhile(line => line.StartsWith("//", StringComparison.Ordinal));

        Assert.Equal(string.Join('\n', code), block.Code);
    }
}
