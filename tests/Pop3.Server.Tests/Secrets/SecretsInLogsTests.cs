using System.Net.Sockets;
using System.Text;
using Pop3.Server.Tests.Crash;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Secrets;

/// <summary>
/// Passwords never reach the logs: the ready-to-run server, as a process, logging everything at Verbose (every
/// category, Kestrel's included), serves sessions that send distinctive passwords right and wrong, in lines
/// too long, in a users file with bad lines; then all it wrote is searched for them.
/// </summary>
public sealed class SecretsInLogsTests : IDisposable
{
    private const string Right = "Right-Pass-Zk4q";
    private const string Wrong = "Wrong-Pass-Xq7w";
    private const string Nobody = "Nobody-Pass-Wv2e";
    private const string TooLong = "Long-Pass-Tt8r";
    private const string InBadLine = "Bad-Line-Pass-Mm3t";
    private const string NoColon = "No-Colon-Pass-Jj6y";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "pop3-secrets-" + Guid.NewGuid().ToString("N"));

    [Fact]
    [Trait("Category", "Slow")]
    public async Task No_password_appears_in_anything_the_server_logs_at_verbose()
    {
        Directory.CreateDirectory(Path.Combine(_root, "alice", "Maildir", "cur"));
        File.WriteAllText(Path.Combine(_root, "alice", "Maildir", "cur", "1700000000.M1P1Q1.secrets:2,S"), "Subject: hi\r\n\r\nhello\r\n");
        File.WriteAllText(Path.Combine(_root, "users"),
            $"alice:{{PLAIN}}{Right}\ncarol:{{NOSUCH}}{InBadLine}\nmallory{NoColon}\ndave:{{PLAIN}}{Right}:extra:fields\n");

        string log;
        await using (var server = await ServerProcess.StartAsync(_root,
            "--Serilog:MinimumLevel:Default=Verbose",
            "--Serilog:MinimumLevel:Override:Microsoft=Verbose",
            "--Serilog:MinimumLevel:Override:Microsoft.AspNetCore.Server.Kestrel=Verbose",
            "--Serilog:MinimumLevel:Override:Pop3.Kestrel=Verbose"))
        {
            await SessionAsync(server, $"USER alice\r\nPASS {Wrong}\r\nUSER nobody\r\nPASS {Nobody}\r\nPASS {Wrong}\r\n" +
                $"USER alice\r\nPASS {TooLong}{new string('x', 300)}\r\nUSER alice\r\nPASS {Right}\r\nSTAT\r\nRETR 1\r\nQUIT\r\n", "+OK Logging out");

            // A client that vanishes right after PASS, and one that is told "too many errors".
            await SessionAsync(server, $"USER alice\r\nPASS {Right}\r\n", "+OK Logged in");
            // (USER succeeds and resets the error count, so the errors here are PASS without USER.)
            await SessionAsync(server, $"USER alice\r\nPASS {Wrong}\r\n" + string.Concat(Enumerable.Repeat($"PASS {Wrong}\r\n", 10)), "-ERR Too many errors");

            // The last session's end is logged after its close: ask once more so the log has caught up.
            await SessionAsync(server, "QUIT\r\n", "+OK Logging out");
            server.Kill();
            await server.WaitForExitAsync();
            log = string.Join('\n', server.Log);
        }

        // The log really is at its most verbose: every command, the users file's complaints, Kestrel's connection events.
        Assert.Contains("Command PASS in Authorization", log);
        Assert.Contains("line 2: user 'carol': unknown password scheme 'NOSUCH'", log);
        Assert.Contains("Disconnected (Quit): user=alice", log);
        Assert.Contains("Microsoft.AspNetCore.Server.Kestrel", log);
        foreach (var secret in new[] { Right, Wrong, Nobody, TooLong, InBadLine, NoColon })
        {
            Assert.DoesNotContain(secret, log);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.ASCII.GetBytes(secret)), log);
        }
    }

    private static async Task SessionAsync(ServerProcess server, string script, string until)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(script));
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(until, StringComparison.Ordinal))
        {
            var reading = stream.ReadAsync(buffer).AsTask();
            if (await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(30))) != reading)
            {
                Assert.Fail($"no '{until}' within 30 s; got:\n{seen}");
            }

            var read = await reading;
            if (read == 0)
            {
                break;
            }

            seen.Append(Encoding.Latin1.GetString(buffer, 0, read));
        }

        Assert.Contains(until, seen.ToString());
    }

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
}
