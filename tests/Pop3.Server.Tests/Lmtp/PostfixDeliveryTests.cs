using System.Diagnostics;
using System.Text;
using Npgsql;
using Pop3.Kestrel.PostgreSql.Tests;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>
/// A real Postfix from Debian takes mail over SMTP and hands it to the server over LMTP (<c>lmtp:inet:</c>): what lands
/// in the Maildir, or in PostgreSQL, is exactly what was sent, after the one Received header Postfix adds; an unknown
/// recipient bounces with the server's 550 5.1.1.
/// </summary>
[Trait("Category", "Interop")]
[Trait("Category", "Slow")]
public sealed class PostfixDeliveryTests
{
    private const string SendScript = """
        import smtplib, sys
        port = int(sys.argv[1])
        with smtplib.SMTP('127.0.0.1', port) as smtp:
            for path, recipients in zip(sys.argv[2::2], sys.argv[3::2]):
                smtp.sendmail('sender@example.net', recipients.split(','), open(path, 'rb').read())
        """;

    private static readonly byte[] First = Encoding.Latin1.GetBytes(
        "From: sender@example.net\r\nTo: alice@example.org, bob@example.org\r\nSubject: first\r\n" +
        "Date: Sun, 06 Dec 2026 12:00:00 +0000\r\nMessage-ID: <first@example.net>\r\nMIME-Version: 1.0\r\n" +
        "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
        ".leading dot\r\n..two\r\n.\r\nna\u00efve\r\n");

    private static readonly byte[] Second = Encoding.Latin1.GetBytes(
        "From: sender@example.net\r\nTo: alice@example.org\r\nSubject: second\r\n" +
        "Date: Sun, 06 Dec 2026 12:00:01 +0000\r\nMessage-ID: <second@example.net>\r\n\r\n" +
        string.Concat(Enumerable.Range(0, 200).Select(i => $"line {i} of a longer body\r\n")));

    [Fact]
    public async Task Postfix_delivers_over_lmtp_into_the_maildir_byte_for_byte()
    {
        await using var server = new LmtpServer();
        await using var postfix = await PostfixInstance.StartAsync(server.EndPoint.Port);

        await SendAsync(postfix, (First, "alice@example.org,bob@example.org,nobody@example.org"), (Second, "alice@example.org"));

        var alice = await WaitForAsync(() => server.Maildir("alice"), 2, postfix);
        var bob = await WaitForAsync(() => server.Maildir("bob"), 1, postfix);
        AssertDelivered([First, Second], alice);
        AssertDelivered([First], bob);
        await WaitForLogAsync(postfix, "said: 550 5.1.1 No such user here (in reply to RCPT TO command)");
    }

    [Fact]
    [Trait("Category", "PostgreSql")]
    public async Task Postfix_delivers_over_lmtp_into_postgresql_byte_for_byte()
    {
        await using var database = await PostgreSqlTestServer.StartAsync();
        var connectionString = await database.CreateDatabaseAsync();
        await using var server = new LmtpServer(("Pop3:Store", "PostgreSql"), ("Pop3:PostgreSql:ConnectionString", connectionString));
        await using var postfix = await PostfixInstance.StartAsync(server.EndPoint.Port);

        await SendAsync(postfix, (First, "alice@example.org,bob@example.org,nobody@example.org"), (Second, "alice@example.org"));

        var alice = await WaitForAsync(() => Bodies(connectionString, "alice"), 2, postfix);
        var bob = await WaitForAsync(() => Bodies(connectionString, "bob"), 1, postfix);
        AssertDelivered([First, Second], alice);
        AssertDelivered([First], bob);
        Assert.Empty(Bodies(connectionString, "nobody"));
    }

    /// <summary>Each stored message is one sent message after the Received header Postfix's smtpd prepends.</summary>
    private static void AssertDelivered(byte[][] sent, byte[][] stored)
    {
        var originals = stored.Select(message =>
        {
            var text = Encoding.Latin1.GetString(message);
            Assert.StartsWith("Received: from ", text);
            var end = text.IndexOf("\r\nFrom: ", StringComparison.Ordinal);
            Assert.True(end > 0, text);
            var prepended = text[..(end + 2)];
            Assert.All(prepended.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), line => Assert.True(line.StartsWith("Received: ", StringComparison.Ordinal) || line[0] is ' ' or '\t', line));
            Assert.Contains("by postfix.test (Postfix)", prepended);
            return text[(end + 2)..];
        });
        Assert.Equal(sent.Select(Encoding.Latin1.GetString).Order(StringComparer.Ordinal), originals.Order(StringComparer.Ordinal));
    }

    private static async Task SendAsync(PostfixInstance postfix, params (byte[] Message, string Recipients)[] messages)
    {
        using var home = new TempDirectory();
        var script = home["send.py"];
        await File.WriteAllTextAsync(script, SendScript);
        var arguments = new List<string> { script, postfix.SmtpPort.ToString() };
        for (var i = 0; i < messages.Length; i++)
        {
            var path = home[$"message{i}.eml"];
            await File.WriteAllBytesAsync(path, messages[i].Message);
            arguments.AddRange([path, messages[i].Recipients]);
        }

        var result = await ExternalTool.RunAsync("python3", "python3", home.Path, [.. arguments]);
        Assert.True(result.ExitCode == 0, $"smtplib to Postfix: {result}\n{postfix.Log}");
    }

    private static async Task<byte[][]> WaitForAsync(Func<byte[][]> read, int count, PostfixInstance postfix)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var messages = read();
            if (messages.Length >= count || waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.True(messages.Length == count, $"{messages.Length} of {count} messages delivered.\n{postfix.Log}");
                return messages;
            }

            await Task.Delay(50);
        }
    }

    private static async Task WaitForLogAsync(PostfixInstance postfix, string text)
    {
        var waited = Stopwatch.StartNew();
        while (!postfix.Log.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"Postfix never logged '{text}'.\n{postfix.Log}");
            await Task.Delay(50);
        }
    }

    private static byte[][] Bodies(string connectionString, string mailbox)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT body FROM pop3_messages WHERE mailbox = @mailbox ORDER BY id", connection);
        command.Parameters.AddWithValue("mailbox", mailbox);
        using var reader = command.ExecuteReader();
        var bodies = new List<byte[]>();
        while (reader.Read())
        {
            bodies.Add((byte[])reader[0]);
        }

        return [.. bodies];
    }
}
