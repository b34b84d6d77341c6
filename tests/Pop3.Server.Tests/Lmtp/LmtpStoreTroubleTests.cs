using System.Net.Sockets;
using System.Text;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>Store trouble on the real server: the sender is told 451 for that recipient (and keeps the message), others still get their copy.</summary>
public sealed class LmtpStoreTroubleTests
{
    [Fact]
    public async Task A_maildir_that_cannot_be_created_is_451_for_its_recipient_and_the_others_get_their_copy()
    {
        await using var server = new LmtpServer();

        // A file where alice's Maildir should be: the store cannot create tmp/ and new/ in it.
        await File.WriteAllTextAsync(Path.Combine(server.Root.Path, "alice"), "not a folder");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "LHLO client.test\r\nMAIL FROM:<sender@example.net>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"));
        var replies = await ReadUntilAsync(stream, "354 ");
        Assert.EndsWith("250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.1.5 Recipient OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n", replies);

        await stream.WriteAsync("Subject: trouble\r\n\r\nbody\r\n.\r\nQUIT\r\n"u8.ToArray());
        replies = await ReadUntilAsync(stream, "221 ");

        Assert.Equal(
            "451 4.3.0 Temporary failure storing the message, try again later\r\n" +
            "250 2.0.0 <bob@example.org> delivered\r\n" +
            "221 2.0.0 lmtp.test closing connection\r\n", replies);
        Assert.Equal("Subject: trouble\r\n\r\nbody\r\n", Encoding.ASCII.GetString(Assert.Single(server.Maildir("bob"))));
        Assert.Equal("not a folder", await File.ReadAllTextAsync(Path.Combine(server.Root.Path, "alice")));
    }

    private static async Task<string> ReadUntilAsync(NetworkStream stream, string lastLineStart)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
            var all = text.ToString();
            var lastLine = all.TrimEnd('\r', '\n').Split("\r\n")[^1];
            if (all.EndsWith("\r\n", StringComparison.Ordinal) && lastLine.StartsWith(lastLineStart, StringComparison.Ordinal))
            {
                return all;
            }
        }
    }
}
