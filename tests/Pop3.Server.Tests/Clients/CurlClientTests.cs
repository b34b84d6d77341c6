using Pop3.Kestrel.Sessions;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Clients;

/// <summary>
/// curl's POP3 support (libcurl, Debian package curl) against the real server. libcurl un-stuffs the
/// body itself (it drops the extra leading dot and the terminator), so what it writes must be the
/// CRLF-normalised message exactly. curl treats every custom request (-X) as multi-line unless told
/// otherwise: a single-line command such as DELE needs --head (-I, i.e. CURLOPT_NOBODY), or curl waits for a body that
/// never comes.
/// </summary>
[Trait("Category", "Interop")]
public sealed class CurlClientTests : ExternalClientTests
{
    private string Url(string path = "") => $"pop3://127.0.0.1:{Server.Pop3EndPoint.Port}/{path}";

    private async Task<ExternalToolResult> CurlAsync(params string[] arguments)
    {
        var result = await ExternalTool.RunAsync("curl", "curl", Home.Path, ["--silent", "--show-error", "--user", "alice:secret", .. arguments]);
        Assert.True(result.ExitCode == 0, $"curl {string.Join(' ', arguments)}: {result}");
        return result;
    }

    [Fact]
    public async Task Retr_of_each_message_is_written_byte_for_byte()
    {
        for (var n = 1; n <= Mailbox.Count; n++)
        {
            var output = Home[$"message-{n}"];
            await CurlAsync(Url(n.ToString()), "--output", output);
            BytesAssert.Equal(Mailbox.Expected(n), await File.ReadAllBytesAsync(output), Mailbox.Names[n - 1]);
            Assert.Equal(Pop3SessionEnd.Quit, (await Sessions.NextEndAsync()).End);
        }

        Assert.Equal(Mailbox.Ids, Mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task The_mailbox_url_lists_every_message_with_its_size()
    {
        var result = await CurlAsync(Url());
        Assert.Equal(Mailbox.ScanListing(), result.StandardOutput);
    }

    [Fact]
    public async Task Uidl_as_a_custom_request_lists_the_store_ids()
    {
        var result = await CurlAsync(Url(), "--request", "UIDL");
        Assert.Equal(Mailbox.UidListing(), result.StandardOutput);
    }

    [Fact]
    public async Task Top_with_zero_lines_is_the_header_section_and_the_blank_line()
    {
        for (var n = 1; n <= Mailbox.Count; n++)
        {
            var output = Home[$"top-{n}"];
            await CurlAsync(Url(), "--request", $"TOP {n} 0", "--output", output);
            BytesAssert.Equal(CorpusMailbox.Top(Mailbox.Expected(n), 0), await File.ReadAllBytesAsync(output), Mailbox.Names[n - 1]);
        }
    }

    [Fact]
    public async Task Top_with_body_lines_unstuffs_dot_lines()
    {
        // Body line 899 of 009 is exactly ".": TOP ends on it, so the server sends "..", CRLF, ".", CRLF.
        var output = Home["top"];
        await CurlAsync(Url(), "--request", "TOP 1 899", "--output", output);
        var top = await File.ReadAllBytesAsync(output);
        Assert.EndsWith("\n.\r\n", System.Text.Encoding.Latin1.GetString(top));
        BytesAssert.Equal(CorpusMailbox.Top(Mailbox.Expected(1), 899), await File.ReadAllBytesAsync(output), Mailbox.Names[0]);
    }

    [Fact]
    public async Task Dele_is_committed_by_curls_quit()
    {
        await CurlAsync(Url(), "--request", "DELE 2", "--head");

        var summary = await Sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(1, summary.Deleted);
        Assert.Equal(Mailbox.Ids.Where((_, i) => i != 1), Mailbox.Store.Ids("alice"));
    }
}
