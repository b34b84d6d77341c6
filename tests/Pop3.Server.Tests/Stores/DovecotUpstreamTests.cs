using System.Globalization;
using System.Text;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Net.Pop3;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;
using Pop3.Kestrel.Upstream;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>
/// The gateway in front of a real Dovecot, over IMAP and over POP3: what a client sees through the gateway is what
/// Dovecot's own POP3 serves for the same mailbox, byte for byte, and deletions reach Dovecot exactly at UPDATE.
/// </summary>
[Trait("Category", "Interop")]
public sealed class DovecotUpstreamTests : IAsyncLifetime
{
    private DovecotServer _dovecot = null!;

    public static TheoryData<string> Protocols => ["Imap", "Pop3"];

    public async Task InitializeAsync() => _dovecot = await DovecotServer.StartAsync([("alice", "secret"), ("bob", "hunter 2")]);

    public async Task DisposeAsync() => await _dovecot.DisposeAsync();

    private Pop3ServerFactory Gateway(string protocol) =>
        new Pop3ServerFactory()
            .With("Pop3:Store", "Upstream")
            .With("Pop3:Upstream:Protocol", protocol)
            .With("Pop3:Upstream:Host", "127.0.0.1")
            .With("Pop3:Upstream:Port", (protocol == "Imap" ? _dovecot.ImapEndPoint : _dovecot.Pop3EndPoint).Port.ToString(CultureInfo.InvariantCulture))
            .WithServices(services => services.AddSingleton<IPop3Authenticator, TestUsers>());

    private void Deliver(params string[] messages)
    {
        foreach (var message in messages)
        {
            _dovecot.Deliver("alice", Encoding.ASCII.GetBytes(message));
        }
    }

    private static string Message(int n) => $"Subject: message {n}\r\nFrom: a@example.org\r\n\r\nbody of message {n}\r\n.starts with a dot\r\nline 3\r\n";

    /// <summary>
    /// Logs in as alice, sends each command, and records every reply and multi-line body; the free text after +OK of a
    /// multi-line reply (each server words it its own way) is left out.
    /// </summary>
    private static async Task<string> TranscriptAsync(System.Net.IPEndPoint endPoint, params string[] commands)
    {
        await using var client = await RawPop3Client.ConnectAsync(endPoint);
        await client.LoginAsync();
        var transcript = new StringBuilder();
        foreach (var command in commands)
        {
            var reply = await client.CommandAsync(command);
            if (reply.StartsWith("+OK", StringComparison.Ordinal) && (command is "LIST" or "UIDL" || command.StartsWith("RETR", StringComparison.Ordinal) || command.StartsWith("TOP", StringComparison.Ordinal)))
            {
                transcript.Append("+OK\r\n").Append(Encoding.Latin1.GetString(await client.ReadMultiLineBodyAsync()));
            }
            else
            {
                transcript.Append(reply).Append("\r\n");
            }
        }

        Assert.StartsWith("+OK", await client.CommandAsync("QUIT"), StringComparison.Ordinal);
        return transcript.ToString();
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Stat_list_uidl_retr_and_top_are_what_dovecots_own_pop3_serves(string protocol)
    {
        Deliver(Message(1), Message(2), "Subject: no final newline\n\nlast line");
        await using var gateway = Gateway(protocol);
        string[] commands = ["STAT", "LIST", "UIDL", "RETR 1", "RETR 3", "TOP 2 0", "TOP 2 1", "LIST 3", "UIDL 2"];

        var direct = await TranscriptAsync(_dovecot.Pop3EndPoint, commands);
        Assert.Equal(direct, await TranscriptAsync(gateway.Pop3EndPoint, commands));
        Assert.Contains("\r\n1 00000001", direct, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Uidl_is_stable_across_sessions_and_deliveries(string protocol)
    {
        Deliver(Message(1), Message(2));
        await using var gateway = Gateway(protocol);
        var first = await TranscriptAsync(gateway.Pop3EndPoint, "UIDL");
        Deliver(Message(3));
        var second = await TranscriptAsync(gateway.Pop3EndPoint, "UIDL");

        var before = first.Split("\r\n")[1..3];
        Assert.Equal(before, second.Split("\r\n")[1..3]);
        Assert.All(second.Split("\r\n")[1..4], line => Assert.Matches("^[1-3] [0-9a-f]{16}$", line));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Retr_is_byte_exact_for_the_whole_corpus(string protocol)
    {
        var corpus = CorpusMailbox.All();
        foreach (var file in corpus.Files)
        {
            _dovecot.Deliver("alice", file);
        }

        await using var gateway = Gateway(protocol);
        await using var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint);
        await client.LoginAsync();
        var failures = new List<string>();
        for (var n = 1; n <= corpus.Count; n++)
        {
            var reply = await client.CommandAsync($"RETR {n}");
            Assert.StartsWith("+OK", reply, StringComparison.Ordinal);
            var body = RawPop3Client.Unstuff(await client.ReadMultiLineBodyAsync());
            if (BytesAssert.Difference(Expected(protocol, corpus.Expected(n)), body, corpus.Names[n - 1]) is { } difference)
            {
                failures.Add(difference);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Dele_and_quit_removes_exactly_the_marked_messages_upstream(string protocol)
    {
        Deliver(Message(1), Message(2), Message(3), Message(4));
        await using var gateway = Gateway(protocol);
        var uidls = await TranscriptAsync(gateway.Pop3EndPoint, "UIDL");

        await using (var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint))
        {
            await client.LoginAsync();
            Assert.Equal("+OK Marked to be deleted", await client.CommandAsync("DELE 2"));
            Assert.Equal("+OK Marked to be deleted", await client.CommandAsync("DELE 4"));
            Assert.Equal(4, (await UpstreamSubjectsAsync()).Count);
            Assert.Equal("+OK Logging out, messages deleted", await client.CommandAsync("QUIT"));
            Assert.Equal("", await client.ReadToEndAsync());
        }

        Assert.Equal(["message 1", "message 3"], await UpstreamSubjectsAsync());
        var lines = uidls.Split("\r\n");
        var kept = await TranscriptAsync(_dovecot.Pop3EndPoint, "UIDL");
        Assert.Equal($"1 {lines[1].Split(' ')[1]}", kept.Split("\r\n")[1]);
        Assert.Equal($"2 {lines[3].Split(' ')[1]}", kept.Split("\r\n")[2]);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Dele_and_a_dropped_connection_remove_nothing_upstream(string protocol)
    {
        Deliver(Message(1), Message(2));
        await using var gateway = Gateway(protocol);
        var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint);
        await client.LoginAsync();
        Assert.Equal("+OK Marked to be deleted", await client.CommandAsync("DELE 1"));
        client.Abort();
        await client.DisposeAsync();

        // The next login through the gateway finds both, and nothing is even flagged for deletion upstream.
        Assert.StartsWith("+OK 2 ", await FirstReplyAfterLoginAsync(gateway, "STAT"), StringComparison.Ordinal);
        Assert.Equal(["message 1", "message 2"], await UpstreamSubjectsAsync());
        Assert.Empty(await UpstreamDeletedFlagsAsync());
    }

    [Fact]
    public async Task A_message_expunged_upstream_during_the_session_is_an_error_never_another_message()
    {
        Deliver(Message(1), Message(2), Message(3));
        await using var gateway = Gateway("Imap");
        await using var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK 3 ", await client.CommandAsync("STAT"), StringComparison.Ordinal);

        using (var other = await ImapAsync())
        {
            var inbox = other.Inbox;
            await inbox.OpenAsync(FolderAccess.ReadWrite);
            var uids = await inbox.SearchAsync(SearchQuery.SubjectContains("message 2"));
            await inbox.AddFlagsAsync(uids, MessageFlags.Deleted, silent: true);
            await inbox.ExpungeAsync();
            await other.DisconnectAsync(true);
        }

        Assert.StartsWith("-ERR", await client.CommandAsync("RETR 2"), StringComparison.Ordinal);
        Assert.StartsWith("-ERR", await client.CommandAsync("TOP 2 0"), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await client.CommandAsync("RETR 3"), StringComparison.Ordinal);
        Assert.Contains("Subject: message 3", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletions_move_to_the_trash_folder_when_one_is_set()
    {
        Deliver(Message(1), Message(2));
        using (var setup = await ImapAsync())
        {
            await setup.GetFolder(setup.PersonalNamespaces[0]).CreateAsync("Trash", true);
            await setup.DisconnectAsync(true);
        }

        await using var gateway = Gateway("Imap").With("Pop3:Upstream:Imap:TrashFolder", "Trash");
        await using (var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint))
        {
            await client.LoginAsync();
            await client.CommandAsync("DELE 1");
            Assert.Equal("+OK Logging out, messages deleted", await client.CommandAsync("QUIT"));
            await client.ReadToEndAsync();
        }

        Assert.Equal(["message 2"], await UpstreamSubjectsAsync());
        Assert.Equal(["message 1"], await UpstreamSubjectsAsync("Trash"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retr_sets_seen_only_when_configured(bool markSeen)
    {
        Deliver(Message(1), Message(2));
        await using var gateway = Gateway("Imap").With("Pop3:Upstream:Imap:MarkSeen", markSeen ? "true" : "false");
        Assert.StartsWith("+OK", await TranscriptAsync(gateway.Pop3EndPoint, "RETR 2", "TOP 1 0"), StringComparison.Ordinal);

        using var imap = await ImapAsync();
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var seen = await imap.Inbox.SearchAsync(SearchQuery.Seen);
        var second = await imap.Inbox.SearchAsync(SearchQuery.SubjectContains("message 2"));
        Assert.Equal(markSeen ? second : [], seen);
        await imap.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_folder_that_does_not_exist_upstream_is_a_temporary_error()
    {
        await using var gateway = Gateway("Imap").With("Pop3:Upstream:Imap:Folder", "Archive");
        Assert.Equal("-ERR [SYS/TEMP] Mailbox is temporarily unavailable", await LoginReplyAsync(gateway));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task An_upstream_that_is_down_is_a_temporary_error(string protocol)
    {
        await using var gateway = Gateway(protocol);
        _ = gateway.Pop3EndPoint;
        await _dovecot.DisposeAsync();
        Assert.Equal("-ERR [SYS/TEMP] Mailbox is temporarily unavailable", await LoginReplyAsync(gateway));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Mailkit_logs_in_with_auth_plain_and_the_password_is_passed_through(string protocol)
    {
        Deliver(Message(1));
        await using var gateway = Gateway(protocol);
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", gateway.Pop3EndPoint.Port, SecureSocketOptions.None);
        Assert.Equal(["PLAIN", "LOGIN"], client.AuthenticationMechanisms.ToArray());
        await client.AuthenticateAsync("alice", "secret");
        Assert.Equal(1, client.Count);
        var message = await client.GetMessageAsync(0);
        Assert.Equal("message 1", message.Subject);
        Assert.Equal(await DirectUidAsync(), await client.GetMessageUidAsync(0));
        await client.DisconnectAsync(true);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Curl_and_python_poplib_read_the_same_bytes_as_from_dovecot(string protocol)
    {
        var corpus = CorpusMailbox.Of(CorpusMailbox.Tricky);
        foreach (var file in corpus.Files)
        {
            _dovecot.Deliver("alice", file);
        }

        await using var gateway = Gateway(protocol);
        using var home = new TempDirectory();
        var script = home["fetch_all.py"];
        await File.WriteAllTextAsync(script, """
            import poplib, sys
            pop = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=30)
            pop.user('alice'); pop.pass_('secret')
            count = pop.stat()[0]
            for n in range(1, count + 1):
                _, lines, _ = pop.retr(n)
                open(f'{sys.argv[2]}/{n}', 'wb').write(b''.join(line + b'\r\n' for line in lines))
            print(' '.join(line.decode() for line in pop.uidl()[1]))
            pop.quit()
            """);
        var python = await ExternalTool.RunAsync("python3", "python3", home.Path, script, gateway.Pop3EndPoint.Port.ToString(CultureInfo.InvariantCulture), home.Path);
        Assert.True(python.ExitCode == 0, python.ToString());
        for (var n = 1; n <= corpus.Count; n++)
        {
            BytesAssert.Equal(Expected(protocol, corpus.Expected(n)), await File.ReadAllBytesAsync(home[n.ToString(CultureInfo.InvariantCulture)]), corpus.Names[n - 1]);
            var curl = home[$"curl-{n}"];
            var result = await ExternalTool.RunAsync("curl", "curl", home.Path, "--silent", "--show-error", "--user", "alice:secret",
                $"pop3://127.0.0.1:{gateway.Pop3EndPoint.Port}/{n}", "--output", curl);
            Assert.True(result.ExitCode == 0, result.ToString());
            BytesAssert.Equal(Expected(protocol, corpus.Expected(n)), await File.ReadAllBytesAsync(curl), corpus.Names[n - 1]);
        }

        var direct = await TranscriptAsync(_dovecot.Pop3EndPoint, "UIDL");
        Assert.Equal(string.Join(' ', direct.Split("\r\n")[1..(corpus.Count + 1)]), python.StandardOutput.Trim());
    }

    /// <summary>
    /// What a client gets: the message with CRLF line ends, except that IMAP cannot carry NUL (RFC 3501 §4.3), so an IMAP
    /// upstream (Dovecot) sends each NUL as 0x80, as Dovecot's own outlook-no-nuls workaround does.
    /// </summary>
    private static byte[] Expected(string protocol, byte[] expected) =>
        protocol == "Imap" ? [.. expected.Select(b => b == 0 ? (byte)0x80 : b)] : expected;

    private static async Task<string> LoginReplyAsync(Pop3ServerFactory gateway)
    {
        await using var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint);
        await client.ReadLineAsync();
        await client.CommandAsync("USER alice");
        return await client.CommandAsync("PASS secret");
    }

    /// <summary>
    /// Logs in, as soon as the gateway has noticed that an earlier session dropped (until then the mailbox is [IN-USE]),
    /// and returns the reply to <paramref name="command"/>.
    /// </summary>
    private static async Task<string> FirstReplyAfterLoginAsync(Pop3ServerFactory gateway, string command)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await using var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint);
            await client.ReadLineAsync();
            await client.CommandAsync("USER alice");
            var login = await client.CommandAsync("PASS secret");
            if (login.StartsWith("+OK", StringComparison.Ordinal))
            {
                var reply = await client.CommandAsync(command);
                await client.CommandAsync("QUIT");
                return reply;
            }

            Assert.StartsWith("-ERR [IN-USE]", login, StringComparison.Ordinal);
            Assert.False(limit.IsCancellationRequested, "The gateway kept the mailbox locked after the client dropped.");
        }
    }

    private async Task<ImapClient> ImapAsync()
    {
        var imap = new ImapClient();
        await imap.ConnectAsync("127.0.0.1", _dovecot.ImapEndPoint.Port, SecureSocketOptions.None);
        await imap.AuthenticateAsync("alice", "secret");
        return imap;
    }

    /// <summary>The subjects of the folder's messages, in UID order, read straight from Dovecot over IMAP.</summary>
    private async Task<List<string>> UpstreamSubjectsAsync(string folder = "INBOX")
    {
        using var imap = await ImapAsync();
        var open = folder == "INBOX" ? imap.Inbox : await imap.GetFolderAsync(folder);
        await open.OpenAsync(FolderAccess.ReadOnly);
        var subjects = open.Count == 0 ? [] : (await open.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.UniqueId))
            .OrderBy(s => s.UniqueId.Id).Select(s => s.Envelope?.Subject ?? "").ToList();
        await imap.DisconnectAsync(true);
        return subjects;
    }

    private async Task<IList<UniqueId>> UpstreamDeletedFlagsAsync()
    {
        using var imap = await ImapAsync();
        await imap.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var deleted = await imap.Inbox.SearchAsync(SearchQuery.Deleted);
        await imap.DisconnectAsync(true);
        return deleted;
    }

    private async Task<string> DirectUidAsync()
    {
        using var direct = new Pop3Client();
        await direct.ConnectAsync("127.0.0.1", _dovecot.Pop3EndPoint.Port, SecureSocketOptions.None);
        await direct.AuthenticateAsync("alice", "secret");
        var uid = await direct.GetMessageUidAsync(0);
        await direct.DisconnectAsync(true);
        return uid;
    }
}

/// <summary>The IMAP upstream backend against the maildrop contract, on a real Dovecot (any user, password "pw").</summary>
[Trait("Category", "Interop")]
public sealed class ImapUpstreamConformanceTests : MaildropConformanceTests
{
    private readonly UpstreamMailboxLocks _locks = new();
    private DovecotServer _dovecot = null!;

    protected override bool KeepsBytesAsDelivered => false;

    protected override bool ListedSizeCountsAddedFinalLineEnd => false;

    protected override byte[] AsTransported(byte[] pop3Form) => [.. pop3Form.Select(b => b == 0 ? (byte)0x80 : b)];

    public override async Task InitializeAsync()
    {
        _dovecot = await DovecotServer.StartAsync([], """
            passdb {
              driver = static
              args = password=pw
            }
            """);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _dovecot.DisposeAsync();
    }

    protected override ValueTask<IMaildrop> CreateMaildropAsync()
    {
        var credentials = new Pop3LoginCredentials();
        credentials.Set("ignored", "pw");
        var options = Options.Create(new UpstreamOptions { Protocol = UpstreamProtocol.Imap, Host = "127.0.0.1", Port = _dovecot.ImapEndPoint.Port });
        return ValueTask.FromResult<IMaildrop>(new ImapUpstreamMaildrop(options, new ConfiguredUpstreamCredentialSource(options), NullLogger<ImapUpstreamMaildrop>.Instance, credentials) { Locks = _locks });
    }

    protected override ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        _dovecot.Deliver(mailbox, message.ToArray());
        return ValueTask.CompletedTask;
    }
}
