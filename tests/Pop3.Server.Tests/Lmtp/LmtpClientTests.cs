using System.Text;
using System.Text.Json;
using Pop3.Server.Tests.Infrastructure;
using Pop3.Tests;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>
/// Real LMTP clients against the real server on real sockets: Python's <c>smtplib.LMTP</c> (Debian package python3), over
/// TCP and over a Unix socket, and <c>swaks --protocol LMTP</c> (Debian package swaks). The bytes that land in the
/// Maildir are the bytes the client meant, dot-stuffing undone.
/// </summary>
[Trait("Category", "Interop")]
public sealed class LmtpClientTests : IAsyncDisposable
{
    // smtplib.LMTP greets with LHLO but its sendmail reads one reply after DATA, as SMTP has it; the LMTP way is one
    // reply per accepted recipient (RFC 2033 §4.2), so the script reads the rest with getreply().
    private const string Script = """
        import json, smtplib, sys
        host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        message = open(path, 'rb').read()
        lmtp = smtplib.LMTP(host, port) if port else smtplib.LMTP(host)
        code, lhlo = lmtp.ehlo('client.test')
        features = sorted(lmtp.esmtp_features)
        text = lambda reply: [reply[0], reply[1].decode()]
        mail = lmtp.mail('sender@example.net')
        rcpt = {r: lmtp.rcpt(r) for r in ['alice@example.org', 'nobody@example.org', 'bob@example.org']}
        accepted = [r for r, reply in rcpt.items() if reply[0] == 250]
        data = [lmtp.data(message)] + [lmtp.getreply() for _ in accepted[1:]]
        quit = lmtp.quit()
        print(json.dumps({'lhlo': lhlo.decode(), 'features': features, 'mail': text(mail), 'rcpt': {r: text(v) for r, v in rcpt.items()},
                          'data': [text(d) for d in data], 'quit': text(quit)}))
        """;

    // Leading dots (smtplib stuffs them), 8-bit text, a long line, an empty line before the end.
    private static readonly byte[] Message = Encoding.Latin1.GetBytes(
        "From: sender@example.net\r\nTo: alice@example.org\r\nSubject: LMTP test\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
        ".leading dot\r\n..two dots\r\n.\r\ncaf\u00e9 cr\u00e8me\r\n" + new string('x', 900) + "\r\n\r\n");

    private LmtpServer? _server;

    private sealed record Report(string Lhlo, string[] Features, JsonElement[] Mail, Dictionary<string, JsonElement[]> Rcpt, JsonElement[][] Data, JsonElement[] Quit);

    private static string Reply(JsonElement[] reply) => $"{reply[0].GetInt32()} {reply[1].GetString()}";

    [Fact]
    public async Task Python_smtplib_lmtp_delivers_each_known_recipient_its_copy_byte_for_byte()
    {
        _server = new LmtpServer();
        var report = await RunSmtplibAsync("127.0.0.1", _server.EndPoint.Port);

        Assert.Equal("lmtp.test\nPIPELINING\nENHANCEDSTATUSCODES\n8BITMIME\nSIZE 52428800", report.Lhlo);
        Assert.Equal(["8bitmime", "enhancedstatuscodes", "pipelining", "size"], report.Features);
        Assert.Equal("250 2.1.0 Sender OK", Reply(report.Mail));
        Assert.Equal("250 2.1.5 Recipient OK", Reply(report.Rcpt["alice@example.org"]));
        Assert.Equal("550 5.1.1 No such user here", Reply(report.Rcpt["nobody@example.org"]));
        Assert.Equal("250 2.1.5 Recipient OK", Reply(report.Rcpt["bob@example.org"]));
        Assert.Equal(["250 2.0.0 <alice@example.org> delivered", "250 2.0.0 <bob@example.org> delivered"], report.Data.Select(Reply));
        Assert.Equal("221 2.0.0 lmtp.test closing connection", Reply(report.Quit));
        Assert.Equal(Message, Assert.Single(_server.Maildir("alice")));
        Assert.Equal(Message, Assert.Single(_server.Maildir("bob")));
        Assert.Empty(_server.Maildir("nobody"));
    }

    [Fact]
    public async Task Python_smtplib_lmtp_delivers_over_a_unix_socket()
    {
        using var socketFolder = new TempDirectory();
        var socket = socketFolder["lmtp.sock"];
        _server = new LmtpServer(("Pop3:Lmtp:Endpoints:Local:UnixSocket", socket));
        _ = _server.EndPoint;

        var report = await RunSmtplibAsync(socket, 0);

        Assert.Equal("550 5.1.1 No such user here", Reply(report.Rcpt["nobody@example.org"]));
        Assert.Equal(2, report.Data.Length);
        Assert.Equal(Message, Assert.Single(_server.Maildir("alice")));
    }

    [Fact]
    public async Task Swaks_in_lmtp_mode_delivers_the_message_as_sent()
    {
                _server = new LmtpServer();
        using var home = new TempDirectory();
        // swaks sends its data, then CRLF . CRLF: the file holds the message without its last line break.
        var data = home["message.eml"];
        await File.WriteAllBytesAsync(data, Message[..^2]);

        var result = await ExternalTool.RunAsync("swaks", "swaks", home.Path, "--protocol", "LMTP", "--server", "127.0.0.1", "--port",
            _server.EndPoint.Port.ToString(), "--helo", "client.test", "--from", "sender@example.net", "--to", "alice@example.org", "--data", data);

        Assert.True(result.ExitCode == 0, $"swaks: {result}");
        Assert.Contains("<-  250 2.0.0 <alice@example.org> delivered", result.StandardOutput);
        Assert.Equal(Message, Assert.Single(_server.Maildir("alice")));
    }

    [Fact]
    public async Task Swaks_is_told_550_for_an_unknown_recipient_and_nothing_is_stored()
    {
                _server = new LmtpServer();
        using var home = new TempDirectory();

        var result = await ExternalTool.RunAsync("swaks", "swaks", home.Path, "--protocol", "LMTP", "--server", "127.0.0.1", "--port",
            _server.EndPoint.Port.ToString(), "--from", "sender@example.net", "--to", "nobody@example.org");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("<** 550 5.1.1 No such user here", result.StandardOutput + result.StandardError);
        Assert.False(Directory.Exists(Path.Combine(_server.Root.Path, "nobody")));
    }

    private async Task<Report> RunSmtplibAsync(string host, int port)
    {
                using var home = new TempDirectory();
        var script = home["lmtp_client.py"];
        await File.WriteAllTextAsync(script, Script);
        var message = home["message.eml"];
        await File.WriteAllBytesAsync(message, Message);
        var result = await ExternalTool.RunAsync("python3", "python3", home.Path, script, host, port.ToString(), message);
        Assert.True(result.ExitCode == 0, $"smtplib: {result}");
        return JsonSerializer.Deserialize<Report>(result.StandardOutput, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
