using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.UsersFile;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Protocol;

/// <summary>A server whose mailbox "alice" holds every corpus message, in file-name order.</summary>
public abstract class CorpusServerFixture : IAsyncLifetime
{
    public Pop3ServerFactory Server { get; } = new();

    public List<string> Names { get; } = Corpus.Files.Select(f => Path.GetFileName(f)!).ToList();

    public abstract Task InitializeAsync();

    public virtual async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The corpus in the in-memory maildrop.</summary>
public sealed class InMemoryCorpusFixture : CorpusServerFixture
{
    public override Task InitializeAsync()
    {
        var store = new InMemoryMailStore();
        foreach (var file in Corpus.Files)
        {
            store.Add("alice", File.ReadAllBytes(file));
        }

        Server.WithInMemoryMail(store);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The corpus in a real Maildir, as a delivery agent leaves it: files copied byte for byte into new/
/// with no size in their names, so the server measures them; users from a real users file.
/// </summary>
public sealed class MaildirCorpusFixture : CorpusServerFixture
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pop3-corpus-" + Guid.NewGuid().ToString("N"));

    public override async Task InitializeAsync()
    {
        var maildir = Path.Combine(_root, "alice", "Maildir");
        foreach (var folder in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, folder));
        }

        var second = 1_700_000_000;
        foreach (var file in Corpus.Files)
        {
            File.Copy(file, Path.Combine(maildir, "new", $"{second++}.M1P1Q1.corpus"));
        }

        var users = Path.Combine(_root, "users");
        await File.WriteAllTextAsync(users, "alice:" + Pop3.Kestrel.UsersFile.Pop3PasswordSchemes.Hash("SHA512-CRYPT", "secret") + "\n");
        Server.With("Pop3:Maildir:Path", Path.Combine(_root, "{user}", "Maildir")).With("Pop3:Authentication:UsersFile", users);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}

public sealed class InMemoryCorpusTests(InMemoryCorpusFixture fixture) : CorpusByteExactTests(fixture), IClassFixture<InMemoryCorpusFixture>;

public sealed class MaildirCorpusTests(MaildirCorpusFixture fixture) : CorpusByteExactTests(fixture), IClassFixture<MaildirCorpusFixture>
{
    [Fact]
    public async Task MailKit_gets_every_message_exactly_from_the_maildir()
    {
        using var client = new MailKit.Net.Pop3.Pop3Client();
        await client.ConnectAsync("127.0.0.1", Fixture.Server.Pop3EndPoint.Port, MailKit.Security.SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", "secret");
        var sizes = await client.GetMessageSizesAsync();
        var failures = new List<string>();
        for (var i = 0; i < Fixture.Names.Count; i++)
        {
            var expected = Corpus.Expected(File.ReadAllBytes(Path.Combine(Corpus.MessagesFolder, Fixture.Names[i])));
            await using var stream = await client.GetStreamAsync(i);
            var received = new MemoryStream();
            await stream.CopyToAsync(received);
            if (!expected.AsSpan().SequenceEqual(received.ToArray()) || sizes[i] != expected.Length)
            {
                failures.Add(Fixture.Names[i]);
            }
        }

        await client.DisconnectAsync(true);
        Assert.Empty(failures);
    }
}

/// <summary>Every corpus message over a raw socket: RETR un-stuffed equals the CRLF-normalised file, LIST equals the octets received.</summary>
public abstract class CorpusByteExactTests(CorpusServerFixture fixture)
{
    protected CorpusServerFixture Fixture => fixture;

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
