namespace Pop3.Kestrel.Protocol.Tests;

/// <summary>The 67 messages of tests/corpus, served byte-exact (see its README).</summary>
public sealed class CorpusTests
{
    private const int CorpusFileCount = 67;

    private static readonly Lazy<string> Folder = new(Locate);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pop3.Kestrel.sln")))
            {
                var messages = Path.GetFullPath(Path.Combine(dir.FullName, "tests", "corpus", "messages"));
                return Directory.Exists(messages)
                    ? messages
                    : throw new DirectoryNotFoundException($"The POP3 corpus is missing: expected it at {messages} (in the repository holding Pop3.Kestrel.sln).");
            }
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Pop3.Kestrel.sln, so the corpus cannot be located.");
    }

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder.Value, "*.eml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    private static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Folder.Value, name));

    private static byte[] Body(byte[] wire) => wire[..^3];

    [Fact]
    public void The_corpus_is_present_and_complete()
    {
        Assert.Equal(CorpusFileCount, Directory.GetFiles(Folder.Value, "*.eml").Length);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Retr_output_unstuffs_to_the_CRLF_normalised_file(string name)
    {
        var file = Read(name);
        var wire = await PipeRunner.WriteAsync(file, -1);

        Assert.True(wire.AsSpan().EndsWith("\r\n.\r\n"u8), "RETR output must end with CRLF . CRLF");
        var normalised = Reference.NormaliseCrlf(file);
        var unstuffed = Reference.Unstuff(wire);
        Assert.True(normalised.AsSpan().SequenceEqual(unstuffed), $"{name}: un-stuffed output differs from the CRLF-normalised file");
        Assert.True(Reference.Stuff(normalised).AsSpan().SequenceEqual(wire), $"{name}: wire output differs from the reference dot-stuffing");

        Assert.Equal(unstuffed.Length, Pop3MessageWriter.Measure(file));
        Assert.Equal(unstuffed.Length, await Pop3MessageWriter.MeasureAsync(new MemoryStream(file), CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Retr_output_is_the_same_whatever_the_read_sizes(string name)
    {
        var file = Read(name);
        var random = new Random(name.GetHashCode(StringComparison.Ordinal));
        var trickled = await PipeRunner.WriteAsync(new TrickleStream(file, () => random.Next(1, 5000)), -1);
        Assert.True(Reference.Stuff(Reference.NormaliseCrlf(file)).AsSpan().SequenceEqual(trickled));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Top_0_is_the_reference_header_section_and_a_prefix_of_Retr(string name)
    {
        var file = Read(name);
        var retr = Body(await PipeRunner.WriteAsync(file, -1));
        var top = await PipeRunner.WriteAsync(file, 0);
        Assert.True(top.AsSpan().EndsWith(Reference.Terminator));
        Assert.True(retr.AsSpan().StartsWith(Body(top)), $"{name}: TOP 0 is not a prefix of RETR");
        Assert.True(Reference.Stuff(Reference.Top(Reference.NormaliseCrlf(file), 0)).AsSpan().SequenceEqual(top), $"{name}: TOP 0 differs from the reference");

        foreach (var lines in new[] { 1, 10, 1_000_000 })
        {
            var topN = await PipeRunner.WriteAsync(file, lines);
            Assert.True(retr.AsSpan().StartsWith(Body(topN)), $"{name}: TOP {lines} is not a prefix of RETR");
            Assert.True(Reference.Stuff(Reference.Top(Reference.NormaliseCrlf(file), lines)).AsSpan().SequenceEqual(topN), $"{name}: TOP {lines} differs from the reference");
        }
    }

    [Fact]
    public async Task The_CRLF_and_LF_copies_of_one_message_give_identical_output_and_size()
    {
        var crlf = Directory.GetFiles(Folder.Value, "006-*.eml").Single();
        var lf = Directory.GetFiles(Folder.Value, "007-*.eml").Single();
        var a = File.ReadAllBytes(crlf);
        var b = File.ReadAllBytes(lf);
        Assert.NotEqual(a, b);
        Assert.Equal(await PipeRunner.WriteAsync(a, -1), await PipeRunner.WriteAsync(b, -1));
        Assert.Equal(await PipeRunner.WriteAsync(a, 0), await PipeRunner.WriteAsync(b, 0));
        Assert.Equal(Pop3MessageWriter.Measure(a), Pop3MessageWriter.Measure(b));
        Assert.Equal(a.Length, Pop3MessageWriter.Measure(a));
    }

    [Theory]
    [InlineData("017", "Testing, testing, 123.\r\n.\r\n")]
    public async Task A_file_without_a_final_line_ending_gets_a_CRLF_before_the_terminator(string prefix, string expectedEnd)
    {
        var file = File.ReadAllBytes(Directory.GetFiles(Folder.Value, prefix + "-*.eml").Single());
        var wire = await PipeRunner.WriteAsync(file, -1);
        Assert.EndsWith(expectedEnd, System.Text.Encoding.Latin1.GetString(wire), StringComparison.Ordinal);
        Assert.Equal(file.Length + 2, Pop3MessageWriter.Measure(file));
    }

    [Fact]
    public void Files_already_in_CRLF_with_a_final_CRLF_measure_their_file_size()
    {
        foreach (var path in Directory.GetFiles(Folder.Value, "*.eml"))
        {
            var file = File.ReadAllBytes(path);
            if (Reference.NormaliseCrlf(file).AsSpan().SequenceEqual(file))
            {
                Assert.Equal(file.Length, Pop3MessageWriter.Measure(file));
            }
            else
            {
                Assert.NotEqual(file.Length, Pop3MessageWriter.Measure(file));
            }
        }
    }
}
