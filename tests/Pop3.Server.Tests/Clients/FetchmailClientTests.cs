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
[Trait("Category", "Interop")]
public sealed class FetchmailClientTests : ExternalClientTests
{
    private async Task<ExternalToolResult> FetchmailAsync(bool keep)
    {
        // fetchmail runs the MDA one message at a time, so "how many files so far" numbers them in order.
        var rc = await Home.WritePrivateFileAsync("fetchmailrc", $"""
            set invisible
            poll 127.0.0.1 service {Server.Pop3EndPoint.Port} protocol pop3 auth password
              user "alice" there with password "secret" is "{Environment.UserName}" here
              options {(keep ? "keep" : "no keep")} no rewrite no stripcr sslproto '' mda "cat > {Delivered}/$(ls {Delivered} | wc -l)"

            """);
        return await ExternalTool.RunAsync("fetchmail", "fetchmail", Home.Path,
            "--fetchmailrc", rc, "--pidfile", Home["fetchmail.pid"], "--idfile", Home["fetchids"], "--nodetach", "--nosyslog");
    }

    private void AssertDeliveredExactly()
    {
        Assert.Equal(Mailbox.Count, Directory.GetFiles(Delivered).Length);
        for (var n = 1; n <= Mailbox.Count; n++)
        {
            var expected = Mailbox.Expected(n);
            if (expected.AsSpan().StartsWith("From "u8))
            {
                expected = CorpusMailbox.WithoutFirstLine(expected);
            }

            BytesAssert.Equal(expected, File.ReadAllBytes(Path.Combine(Delivered, (n - 1).ToString())), Mailbox.Names[n - 1]);
        }
    }

    [Fact]
    public async Task Keep_delivers_every_message_and_deletes_none()
    {
        var result = await FetchmailAsync(keep: true);
        Assert.True(result.ExitCode == 0, $"fetchmail: {result}");

        AssertDeliveredExactly();
        var summary = await Sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(Mailbox.Count, summary.Retrieved);
        Assert.Equal(0, summary.Deleted);
        Assert.Equal(Mailbox.Ids, Mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task A_second_keep_poll_finds_nothing_new_by_uidl()
    {
        Assert.Equal(0, (await FetchmailAsync(keep: true)).ExitCode);
        await Sessions.NextEndAsync();

        var again = await FetchmailAsync(keep: true);
        Assert.True(again.ExitCode == 1, $"fetchmail exit code 1 means no new mail: {again}");
        Assert.Equal(0, (await Sessions.NextEndAsync()).Retrieved);
        Assert.Equal(Mailbox.Count, Directory.GetFiles(Delivered).Length);
        Assert.Equal(Mailbox.Ids, Mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task Without_keep_every_message_is_deleted_at_quit()
    {
        var result = await FetchmailAsync(keep: false);
        Assert.True(result.ExitCode == 0, $"fetchmail: {result}");

        AssertDeliveredExactly();
        var summary = await Sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(Mailbox.Count, summary.Deleted);
        Assert.Empty(Mailbox.Store.Ids("alice"));
    }
}
