using Pop3.Kestrel.Sessions;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Clients;

/// <summary>
/// mpop (Debian package mpop) retrieving from the real server into an MDA that writes each message to
/// a numbered file. "received_header off" stops mpop adding a Received header. mpop hands a message to
/// an MDA with local (LF) line endings: it turns each CRLF into LF and leaves every other octet alone
/// (bare CR, NUL and 8-bit bytes included), so what it delivers must be the CRLF-normalised message
/// with CRLF replaced by LF, exactly. Unlike fetchmail it keeps a leading mbox "From " line.
/// </summary>
[Trait("Category", "Interop")]
public sealed class MpopClientTests : ExternalClientTests
{
    private async Task<ExternalToolResult> MpopAsync(bool keep)
    {
        // mpop runs the MDA one message at a time, in order, so "how many files so far" numbers them.
        var config = await Home.WritePrivateFileAsync("mpoprc", $"""
            account default
            host 127.0.0.1
            port {Server.Pop3EndPoint.Port}
            user alice
            password secret
            tls off
            auth user
            received_header off
            uidls_file {Home["uidls"]}
            keep {(keep ? "on" : "off")}
            delivery mda "cat > {Delivered}/$(ls {Delivered} | wc -l)"

            """);
        return await ExternalTool.RunAsync("mpop", "mpop", Home.Path, "--file", config);
    }

    private void AssertDeliveredExactly()
    {
        Assert.Equal(Mailbox.Count, Directory.GetFiles(Delivered).Length);
        for (var n = 1; n <= Mailbox.Count; n++)
        {
            BytesAssert.Equal(CorpusMailbox.WithLfLineEndings(Mailbox.Expected(n)), File.ReadAllBytes(Path.Combine(Delivered, (n - 1).ToString())), Mailbox.Names[n - 1]);
        }
    }

    [Fact]
    public async Task Keep_on_delivers_every_message_and_deletes_none()
    {
        var result = await MpopAsync(keep: true);
        Assert.True(result.ExitCode == 0, $"mpop: {result}");

        AssertDeliveredExactly();
        var summary = await Sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(Mailbox.Count, summary.Retrieved);
        Assert.Equal(0, summary.Deleted);
        Assert.Equal(Mailbox.Ids, Mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task A_second_run_retrieves_nothing_already_seen_by_uidl()
    {
        Assert.Equal(0, (await MpopAsync(keep: true)).ExitCode);
        await Sessions.NextEndAsync();

        var again = await MpopAsync(keep: true);
        Assert.True(again.ExitCode == 0, $"mpop: {again}");
        Assert.Equal(0, (await Sessions.NextEndAsync()).Retrieved);
        Assert.Equal(Mailbox.Count, Directory.GetFiles(Delivered).Length);
    }

    [Fact]
    public async Task Keep_off_deletes_every_message_at_quit()
    {
        var result = await MpopAsync(keep: false);
        Assert.True(result.ExitCode == 0, $"mpop: {result}");

        AssertDeliveredExactly();
        var summary = await Sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(Mailbox.Count, summary.Deleted);
        Assert.Empty(Mailbox.Store.Ids("alice"));
    }
}
