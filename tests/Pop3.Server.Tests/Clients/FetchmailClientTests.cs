using Pop3.Kestrel.Sessions;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Clients;

/// <summary>
/// fetchmail (Debian package fetchmail) polling the real server and delivering each message to an MDA
/// that writes it to a numbered file. Left to its defaults fetchmail changes what it delivers, so the
/// run control file turns that off: "set invisible" (no Received header of its own), "no rewrite" (no
/// "@host" appended to bare addresses) and "no stripcr" (keep the CRLF). One change remains and is
/// asserted as such: fetchmail drops a leading mbox "From " envelope line (corpus files 010 and 020),
/// treating it as an envelope rather than message content. Everything else must arrive byte for byte.
/// </summary>
public sealed class FetchmailClientTests : IAsyncLifetime, IDisposable
{
    private readonly CorpusMailbox _mailbox = CorpusMailbox.Of(CorpusMailbox.Tricky);
    private readonly Pop3SessionRecorder _sessions = new();
    private readonly Pop3ServerFactory _server = new();
    private readonly TempDirectory _home = new();

    public Task InitializeAsync()
    {
        _server.WithInMemoryMail(_mailbox.Store).WithSessionRecorder(_sessions);
        Directory.CreateDirectory(Delivered);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _home.Dispose();

    private string Delivered => _home["delivered"];

    private async Task<ExternalToolResult> FetchmailAsync(bool keep)
    {
        // fetchmail runs the MDA one message at a time, so "how many files so far" numbers them in order.
        var rc = await _home.WritePrivateFileAsync("fetchmailrc", $"""
            set invisible
            poll 127.0.0.1 service {_server.Pop3EndPoint.Port} protocol pop3 auth password
              user "alice" there with password "secret" is "{Environment.UserName}" here
              options {(keep ? "keep" : "no keep")} no rewrite no stripcr sslproto '' mda "cat > {Delivered}/$(ls {Delivered} | wc -l)"

            """);
        return await ExternalTool.RunAsync("fetchmail", "fetchmail", _home.Path,
            "--fetchmailrc", rc, "--pidfile", _home["fetchmail.pid"], "--idfile", _home["fetchids"], "--nodetach", "--nosyslog");
    }

    private void AssertDeliveredExactly()
    {
        Assert.Equal(_mailbox.Count, Directory.GetFiles(Delivered).Length);
        for (var n = 1; n <= _mailbox.Count; n++)
        {
            var expected = _mailbox.Expected(n);
            if (expected.AsSpan().StartsWith("From "u8))
            {
                expected = CorpusMailbox.WithoutFirstLine(expected);
            }

            BytesAssert.Equal(expected, File.ReadAllBytes(Path.Combine(Delivered, (n - 1).ToString())), _mailbox.Names[n - 1]);
        }
    }

    [Fact]
    public async Task Keep_delivers_every_message_and_deletes_none()
    {
        var result = await FetchmailAsync(keep: true);
        Assert.True(result.ExitCode == 0, $"fetchmail: {result}");

        AssertDeliveredExactly();
        var summary = await _sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(_mailbox.Count, summary.Retrieved);
        Assert.Equal(0, summary.Deleted);
        Assert.Equal(_mailbox.Ids, _mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task A_second_keep_poll_finds_nothing_new_by_uidl()
    {
        Assert.Equal(0, (await FetchmailAsync(keep: true)).ExitCode);
        await _sessions.NextEndAsync();

        var again = await FetchmailAsync(keep: true);
        Assert.True(again.ExitCode == 1, $"fetchmail exit code 1 means no new mail: {again}");
        Assert.Equal(0, (await _sessions.NextEndAsync()).Retrieved);
        Assert.Equal(_mailbox.Count, Directory.GetFiles(Delivered).Length);
        Assert.Equal(_mailbox.Ids, _mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task Without_keep_every_message_is_deleted_at_quit()
    {
        var result = await FetchmailAsync(keep: false);
        Assert.True(result.ExitCode == 0, $"fetchmail: {result}");

        AssertDeliveredExactly();
        var summary = await _sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(_mailbox.Count, summary.Deleted);
        Assert.Empty(_mailbox.Store.Ids("alice"));
    }
}
