using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Protocol;

/// <summary>RFC 1939 over a real socket to the real server, octet by octet.</summary>
public sealed class Rfc1939OverSocketTests : IAsyncLifetime
{
    private const string First = "Subject: one\r\n\r\nbody one\r\n";
    private const string Second = "Subject: two\n\n.starts with a dot\n.\nlast line without newline";

    private readonly InMemoryMailStore _store = new();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _store.Add("alice", Encoding.ASCII.GetBytes(First));
        _store.Add("alice", Encoding.ASCII.GetBytes(Second));
        _server.WithInMemoryMail(_store).With("Pop3:Greeting", "Test server ready");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static int SizeOf(string message) => Corpus.Expected(Encoding.ASCII.GetBytes(message)).Length;

    [Fact]
    public async Task A_whole_session_in_both_states()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        Assert.Equal("+OK Test server ready", await client.ReadLineAsync());
        Assert.StartsWith("-ERR Not allowed before login", await client.CommandAsync("STAT"));
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER alice"));
        Assert.Equal($"+OK Logged in, 2 messages ({SizeOf(First) + SizeOf(Second)} octets)", await client.CommandAsync("PASS secret"));
        Assert.Equal($"+OK 2 {SizeOf(First) + SizeOf(Second)}", await client.CommandAsync("STAT"));

        Assert.Equal("+OK Scan listing follows", await client.CommandAsync("LIST"));
        Assert.Equal($"1 {SizeOf(First)}\r\n2 {SizeOf(Second)}\r\n.\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));

        Assert.Equal($"+OK {SizeOf(Second)} octets", await client.CommandAsync("RETR 2"));
        Assert.Equal("Subject: two\r\n\r\n..starts with a dot\r\n..\r\nlast line without newline\r\n.\r\n",
            Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));

        Assert.StartsWith("+OK", await client.CommandAsync("TOP 2 1"));
        Assert.Equal("Subject: two\r\n\r\n..starts with a dot\r\n.\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));

        Assert.Equal("+OK", await client.CommandAsync("NOOP"));
        Assert.Equal("+OK Marked to be deleted", await client.CommandAsync("DELE 1"));
        Assert.Equal("-ERR Message is deleted", await client.CommandAsync("RETR 1"));
        Assert.Equal("+OK Unique-ID listing follows", await client.CommandAsync("UIDL"));
        Assert.Equal($"2 {_store.Ids("alice")[1]}\r\n.\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));
        Assert.Equal("+OK Logging out, messages deleted", await client.CommandAsync("QUIT"));
        Assert.Equal("", await client.ReadToEndAsync());
        Assert.Single(_store.Ids("alice"));
    }

    [Fact]
    public async Task Pipelined_commands_in_one_write_are_answered_in_order()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync("USER alice\r\nPASS secret\r\nLIST 1\r\nRETR 1\r\nUIDL 1\r\nBOGUS\r\nQUIT\r\n");
        var all = await client.ReadToEndAsync();
        Assert.Equal(
            "+OK Send your password\r\n" +
            $"+OK Logged in, 2 messages ({SizeOf(First) + SizeOf(Second)} octets)\r\n" +
            $"+OK 1 {SizeOf(First)}\r\n" +
            $"+OK {SizeOf(First)} octets\r\n{First}.\r\n" +
            $"+OK 1 {_store.Ids("alice")[0]}\r\n" +
            "-ERR Unknown command\r\n" +
            "+OK Logging out\r\n",
            all);
    }

    [Fact]
    public async Task A_dropped_connection_deletes_nothing()
    {
        var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 1"));
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 2"));
        client.Abort();

        // The lock is released when the server notices the drop; the next login proves both.
        await using var again = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await again.ReadLineAsync();
        string reply;
        do
        {
            await again.CommandAsync("USER alice");
            reply = await again.CommandAsync("PASS secret");
        }
        while (reply.StartsWith("-ERR [IN-USE]", StringComparison.Ordinal));

        Assert.StartsWith("+OK Logged in, 2 messages", reply);
        Assert.Equal(2, _store.Ids("alice").Count);
    }

    [Fact]
    public async Task A_second_login_to_a_locked_maildrop_is_in_use()
    {
        await using var first = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await first.LoginAsync();
        await using var second = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await second.ReadLineAsync();
        await second.CommandAsync("USER alice");
        Assert.Equal("-ERR [IN-USE] Mailbox is locked by another session", await second.CommandAsync("PASS secret"));
        Assert.Equal("+OK Logging out", await first.CommandAsync("QUIT"));
        Assert.Equal("", await first.ReadToEndAsync());
        await second.CommandAsync("USER alice");
        Assert.StartsWith("+OK Logged in", await second.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task Wrong_credentials_get_auth_and_the_session_goes_on()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER nobody"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await client.CommandAsync("PASS x"));
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER bob"));
        Assert.StartsWith("+OK Logged in, 0 messages", await client.CommandAsync("PASS hunter 2"));
    }

    [Fact]
    public async Task Every_error_path_answers_err_and_keeps_the_session()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.LoginAsync();
        foreach (var (command, reply) in new[]
        {
            ("RETR", "-ERR Invalid message number"),
            ("RETR 3", "-ERR No such message"),
            ("RETR 0", "-ERR No such message"),
            ("RETR 1 2", "-ERR Invalid message number"),
            ("RETR 99999999999", "-ERR Invalid message number"),
            ("DELE abc", "-ERR Invalid message number"),
            ("NOOP", "+OK"), // resets the consecutive-error count
            ("TOP 1", "-ERR Syntax: TOP msg n"),
            ("TOP 1 -1", "-ERR Invalid line count"),
            ("LIST 1 2", "-ERR Invalid message number"),
            ("STAT x", "-ERR This command takes no arguments"),
            ("RSET x", "-ERR This command takes no arguments"),
            ("PASS secret", "-ERR Not allowed after login; allowed now: STAT LIST RETR DELE NOOP RSET TOP UIDL CAPA QUIT"),
        })
        {
            Assert.Equal(reply, await client.CommandAsync(command));
        }

        Assert.StartsWith("+OK 2 ", await client.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Ten_consecutive_errors_close_the_connection()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.ReadLineAsync();
        await client.SendAsync(string.Concat(Enumerable.Repeat("WHAT\r\n", 12)));
        var all = await client.ReadToEndAsync();
        Assert.Equal(string.Concat(Enumerable.Repeat("-ERR Unknown command\r\n", 9)) + "-ERR Unknown command\r\n-ERR Too many errors, closing connection\r\n", all);
    }

    [Fact]
    public async Task A_256_octet_line_is_refused_and_the_next_line_works()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)", await client.CommandAsync("USER " + new string('x', 249)));
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER " + new string('x', 248)));
        await client.SendAsync(new string('y', 100_000));
        Assert.Equal("-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)", await client.CommandAsync(""));
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER alice"));
    }
}
