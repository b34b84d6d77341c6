using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Protocol;

/// <summary>One server whose mailbox "alice" holds every corpus message, in file-name order.</summary>
public sealed class CorpusServerFixture : IAsyncLifetime
{
    public InMemoryMailStore Store { get; } = new();

    public Pop3ServerFactory Server { get; } = new();

    public List<string> Names { get; } = [];

    public Task InitializeAsync()
    {
        foreach (var file in Corpus.Files)
        {
            Store.Add("alice", File.ReadAllBytes(file));
            Names.Add(Path.GetFileName(file));
        }

        Server.WithInMemoryMail(Store);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Every corpus message over a raw socket: RETR un-stuffed equals the CRLF-normalised file, LIST equals the octets received.</summary>
public sealed class CorpusByteExactTests(CorpusServerFixture fixture) : IClassFixture<CorpusServerFixture>
{
    [Theory]
    [MemberData(nameof(Names))]
    public async Task Retr_delivers_the_message_exactly_and_list_counts_what_arrives(string name)
    {
        var number = fixture.Names.IndexOf(name) + 1;
        var expected = Corpus.Expected(File.ReadAllBytes(Path.Combine(Corpus.MessagesFolder, name)));

        await using var client = await LoginAsync();
        var list = await client.CommandAsync($"LIST {number}");
        Assert.Equal($"+OK {number} {expected.Length}", list);
        Assert.Equal($"+OK {expected.Length} octets", await client.CommandAsync($"RETR {number}"));
        var received = RawPop3Client.Unstuff(await client.ReadMultiLineBodyAsync());
        Assert.Equal(expected.Length, received.Length);
        Assert.True(expected.AsSpan().SequenceEqual(received), $"{name}: bytes differ at {FirstDifference(expected, received)}");

        Assert.StartsWith("+OK", await client.CommandAsync($"TOP {number} 0"));
        var top = RawPop3Client.Unstuff(await client.ReadMultiLineBodyAsync());
        Assert.True(expected.AsSpan().StartsWith(top), $"{name}: TOP 0 is not a prefix of RETR");
        await client.CommandAsync("QUIT");
    }

    [Fact]
    public async Task Stat_is_the_sum_of_the_normalised_sizes()
    {
        var total = Corpus.Files.Sum(f => (long)Corpus.Expected(File.ReadAllBytes(f)).Length);
        await using var client = await LoginAsync();
        Assert.Equal($"+OK {fixture.Names.Count} {total}", await client.CommandAsync("STAT"));
        await client.CommandAsync("QUIT");
    }

    [Fact]
    public async Task The_crlf_and_lf_copies_of_one_message_are_served_identically()
    {
        var crlf = fixture.Names.FindIndex(n => n.StartsWith("006", StringComparison.Ordinal)) + 1;
        var lf = fixture.Names.FindIndex(n => n.StartsWith("007", StringComparison.Ordinal)) + 1;
        await using var client = await LoginAsync();
        var crlfSize = await client.CommandAsync($"LIST {crlf}");
        var lfSize = await client.CommandAsync($"LIST {lf}");
        Assert.Equal(crlfSize.Split(' ')[2], lfSize.Split(' ')[2]);
        await client.CommandAsync($"RETR {crlf}");
        var a = await client.ReadMultiLineBodyAsync();
        await client.CommandAsync($"RETR {lf}");
        var b = await client.ReadMultiLineBodyAsync();
        Assert.Equal(Encoding.Latin1.GetString(a), Encoding.Latin1.GetString(b));
        await client.CommandAsync("QUIT");
    }

    public static TheoryData<string> Names => Corpus.Names;

    private async Task<RawPop3Client> LoginAsync()
    {
        var client = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        await client.LoginAsync();
        return client;
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] != b[i])
            {
                return i;
            }
        }

        return n;
    }
}
