using System.Net.Security;
using System.Text;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Hostile;

/// <summary>
/// The hostile-client tests share one real server (Program: Maildir, users file, plain and implicit-TLS
/// listeners). They run one at a time, alone: the memory test measures the process's managed heap.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileCollection : ICollectionFixture<HostileServerFixture>
{
    public const string Name = "Hostile";
}

/// <summary>
/// A real Maildir tree: "alice" is the target of the attacks (30 small messages and one of 8 MiB),
/// "bob" is the well-behaved client every test checks is still served.
/// </summary>
public sealed class HostileServerFixture : IAsyncLifetime
{
    public const int SmallCount = 30;
    public const int BigSize = 8 * 1024 * 1024;

    /// <summary>The longest IMPLEMENTATION text allowed (200 characters): it makes CAPA after login the reply with the most octets per command octet.</summary>
    public static readonly string ImplementationText = "Pop3.Kestrel-" + new string('x', 187);

    private readonly TestCertificates _certificates = new();

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "pop3-hostile-" + Guid.NewGuid().ToString("N"));

    public Pop3ServerFactory Server { get; private set; } = null!;

    /// <summary>Bob's two messages, as stored (CRLF already, no leading dots, so they go out unchanged).</summary>
    public byte[][] BobMessages { get; } =
    [
        "Subject: first\r\n\r\nHello Bob.\r\n"u8.ToArray(),
        "Subject: second\r\n\r\nStill here.\r\n"u8.ToArray(),
    ];

    public string AliceCur => Path.Combine(Root, "alice", "Maildir", "cur");

    public Task InitializeAsync()
    {
        var second = 1_700_000_000;
        var alice = MakeMaildir("alice");
        for (var i = 0; i < SmallCount; i++)
        {
            File.WriteAllBytes(Path.Combine(alice, "cur", $"{second++}.M{i}P1Q1.hostile:2,S"), Encoding.ASCII.GetBytes($"Subject: small {i}\r\n\r\nbody {i}\r\n"));
        }

        File.WriteAllBytes(Path.Combine(alice, "cur", $"{second++}.MbigP1Q1.hostile:2,S"), BigMessage());
        var bob = MakeMaildir("bob");
        foreach (var message in BobMessages)
        {
            File.WriteAllBytes(Path.Combine(bob, "cur", $"{second++}.MbP1Q1.hostile:2,S"), message);
        }

        var users = Path.Combine(Root, "users");
        File.WriteAllText(users, "alice:{PLAIN}secret\nbob:{PLAIN}hunter2\n");
        _certificates.Write();
        Server = new Pop3ServerFactory()
            .With("Pop3:Maildir:Path", Path.Combine(Root, "{user}", "Maildir"))
            .With("Pop3:Authentication:UsersFile", users)
            .With("Pop3:Implementation", ImplementationText)
            .WithTls(_certificates);
        _ = Server.Pop3EndPoint;
        return Task.CompletedTask;
    }

    /// <summary>8 MiB of CRLF lines, none starting with a dot.</summary>
    public static byte[] BigMessage()
    {
        var message = new byte[BigSize];
        var header = "Subject: big\r\n\r\n"u8;
        header.CopyTo(message);
        for (var i = header.Length; i < message.Length; i++)
        {
            var column = (i - header.Length) % 78;
            message[i] = column == 76 ? (byte)'\r' : column == 77 ? (byte)'\n' : (byte)('a' + (i % 26));
        }

        message[^2] = (byte)'\r';
        message[^1] = (byte)'\n';
        return message;
    }

    /// <summary>
    /// A well-behaved client on a new connection logs in as bob, lists and retrieves both messages
    /// byte for byte and quits, all within <paramref name="within"/> (default 15 s, generous for a busy 2-core machine).
    /// </summary>
    public async Task AssertOthersServedAsync(TimeSpan? within = null)
    {
        var work = async () =>
        {
            await using var client = await RawPop3Client.ConnectAsync(Server.Pop3EndPoint);
            await client.LoginAsync("bob", "hunter2");
            var total = BobMessages.Sum(m => m.Length);
            Assert.Equal($"+OK 2 {total}", await client.CommandAsync("STAT"));
            for (var i = 0; i < BobMessages.Length; i++)
            {
                Assert.Equal($"+OK {BobMessages[i].Length} octets", await client.CommandAsync($"RETR {i + 1}"));
                Assert.Equal(BobMessages[i], RawPop3Client.Unstuff(await client.ReadMultiLineBodyAsync()));
            }

            Assert.Equal("+OK Logging out", await client.CommandAsync("QUIT"));
        };
        await work().WaitAsync(within ?? TimeSpan.FromSeconds(15));
    }

    /// <summary>Same, over the implicit-TLS listener.</summary>
    public async Task AssertOthersServedOverTlsAsync()
    {
        var work = async () =>
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(Server.EndPointOf("Secure"));
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync("localhost");
            using var reader = new StreamReader(tls, Encoding.Latin1);
            Assert.StartsWith("+OK", await reader.ReadLineAsync());
            await tls.WriteAsync("USER bob\r\nPASS hunter2\r\nSTAT\r\nQUIT\r\n"u8.ToArray());
            Assert.StartsWith("+OK", await reader.ReadLineAsync());
            Assert.StartsWith("+OK Logged in", await reader.ReadLineAsync());
            Assert.Equal($"+OK 2 {BobMessages.Sum(m => m.Length)}", await reader.ReadLineAsync());
            Assert.Equal("+OK Logging out", await reader.ReadLineAsync());
        };
        await work().WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>
    /// Logs in as alice on new connections until one succeeds: the proof that a vanished session's lock is
    /// gone. Polls without pausing (each try is a full round trip), within a bounded deadline.
    /// </summary>
    public async Task<RawPop3Client> LoginAliceAgainAsync(TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(15));
        var tries = 0;
        while (true)
        {
            tries++;
            var client = await RawPop3Client.ConnectAsync(Server.Pop3EndPoint);
            Assert.StartsWith("+OK", await client.ReadLineAsync());
            await client.CommandAsync("USER alice");
            var reply = await client.CommandAsync("PASS secret");
            if (reply.StartsWith("+OK Logged in", StringComparison.Ordinal))
            {
                return client;
            }

            await client.DisposeAsync();
            Assert.StartsWith("-ERR [IN-USE]", reply);
            Assert.True(DateTime.UtcNow < deadline, $"alice's mailbox was still locked after {tries} tries");
        }
    }

    /// <summary>Open descriptors of this process (which hosts the server) that point into alice's cur/.</summary>
    public string[] OpenFilesInAliceCur()
    {
        var open = new List<string>();
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(AliceCur, StringComparison.Ordinal))
                {
                    open.Add(target);
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        return [.. open];
    }

    private string MakeMaildir(string user)
    {
        var maildir = Path.Combine(Root, user, "Maildir");
        foreach (var folder in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, folder));
        }

        return maildir;
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _certificates.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
