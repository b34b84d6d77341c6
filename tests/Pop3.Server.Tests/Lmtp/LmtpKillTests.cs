using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Pop3.Server.Tests.Crash;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>
/// SIGKILL of the real server process (the built Pop3.Server.dll) while four LMTP clients deliver into a Maildir: every
/// message that got its 250 is there byte for byte, and every file in new/ is a whole message (tmp/, then fsync, then
/// rename). Messages killed before their 250 may be there or not: the MTA still has them and delivers again.
/// </summary>
public sealed partial class LmtpKillTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pop3-lmtp-kill-").FullName;

    [Fact]
    [Trait("Category", "Crash")]
    [Trait("Category", "Slow")]
    public async Task Sigkill_during_delivery_loses_no_message_that_got_250()
    {
        await File.WriteAllTextAsync(Path.Combine(_root, "users"), "alice:{PLAIN}secret\n");
        var sent = new ConcurrentDictionary<string, byte[]>();
        var acknowledged = new ConcurrentBag<string>();
        await using (var server = await ServerProcess.StartAsync(_root,
            "--Pop3:Lmtp:Endpoints:Default:Address=127.0.0.1", "--Pop3:Lmtp:Endpoints:Default:Port=0"))
        {
            var lmtp = await LmtpEndPointAsync(server);
            using var enough = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 4).Select(client => Task.Run(() => DeliverUntilKilledAsync(lmtp, client, sent, acknowledged, enough))).ToArray();

            await Task.Delay(Timeout.Infinite, enough.Token).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(120));
            server.Kill();
            await server.WaitForExitAsync();
            await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
        }

        var stored = Directory.GetFiles(Path.Combine(_root, "alice", "Maildir", "new")).Select(File.ReadAllBytes).ToList();
        var byId = new Dictionary<string, byte[]>();
        foreach (var message in stored)
        {
            var id = IdOf(message);
            Assert.True(sent.TryGetValue(id, out var original), $"{id} was never sent");
            Assert.Equal(original, message);
            byId[id] = message;
        }

        Assert.True(acknowledged.Count >= 30, $"only {acknowledged.Count} acknowledged");
        Assert.All(acknowledged, id => Assert.True(byId.ContainsKey(id), $"{id} got 250 but is not in the Maildir"));
    }

    private static async Task DeliverUntilKilledAsync(IPEndPoint lmtp, int client, ConcurrentDictionary<string, byte[]> sent,
        ConcurrentBag<string> acknowledged, CancellationTokenSource enough)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(lmtp);
            var stream = tcp.GetStream();
            var reader = new LineReader(stream);
            Assert.StartsWith("220 ", await reader.ReadLineAsync());
            await stream.WriteAsync("LHLO kill.test\r\n"u8.ToArray());
            while ((await reader.ReadLineAsync()).StartsWith("250-", StringComparison.Ordinal))
            {
            }

            for (var n = 0; ; n++)
            {
                var id = $"c{client}-{n}";
                var message = MessageFor(id);
                sent[id] = message;
                await stream.WriteAsync("MAIL FROM:<sender@example.net>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n"u8.ToArray());
                Assert.StartsWith("250 ", await reader.ReadLineAsync());
                Assert.StartsWith("250 ", await reader.ReadLineAsync());
                Assert.StartsWith("354 ", await reader.ReadLineAsync());
                await stream.WriteAsync(Stuffed(message));
                var reply = await reader.ReadLineAsync();
                Assert.StartsWith("250 2.0.0 ", reply);
                acknowledged.Add(id);
                if (acknowledged.Count >= 30)
                {
                    enough.Cancel();
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException)
        {
            // The server was killed: this message's fate is the MTA's to settle by delivering again.
        }
    }

    private static byte[] MessageFor(string id)
    {
        var text = new StringBuilder($"From: sender@example.net\r\nTo: alice@example.org\r\nMessage-ID: <{id}@kill.test>\r\nSubject: {id}\r\n\r\n");
        for (var line = 0; text.Length < 4096; line++)
        {
            text.Append(line % 7 == 0 ? "." : "").Append($"line {line} of message {id}, padded to make a 4 KiB message\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Stuffed(byte[] message)
    {
        var text = Encoding.ASCII.GetString(message).Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        return Encoding.ASCII.GetBytes(text + ".\r\n");
    }

    private static string IdOf(byte[] message) => MessageId().Match(Encoding.ASCII.GetString(message)).Groups[1].Value;

    private static async Task<IPEndPoint> LmtpEndPointAsync(ServerProcess server)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var line in server.Log)
            {
                if (LmtpListening().Match(line) is { Success: true } match)
                {
                    return IPEndPoint.Parse(match.Groups[1].Value);
                }
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("The server never said where LMTP listens:\n" + string.Join('\n', server.Log));
    }

    [GeneratedRegex(@"LMTP listening on (\S+) \(Pop3:Lmtp:Endpoints:Default\)")]
    private static partial Regex LmtpListening();

    [GeneratedRegex(@"Message-ID: <([^@]+)@kill\.test>")]
    private static partial Regex MessageId();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Reads CRLF-terminated reply lines off the stream.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        public async Task<string> ReadLineAsync()
        {
            while (true)
            {
                var lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (lf >= 0)
                {
                    var line = Encoding.ASCII.GetString(_buffer, _start, lf - _start).TrimEnd('\r');
                    _start = lf + 1;
                    return line;
                }

                if (_start > 0)
                {
                    Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                var read = await stream.ReadAsync(_buffer.AsMemory(_end));
                if (read == 0)
                {
                    throw new EndOfStreamException("The server closed the connection.");
                }

                _end += read;
            }
        }
    }
}
