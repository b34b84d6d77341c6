using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Pop3.Kestrel.Protocol;
using Pop3.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pop3.Server.Tests.Crash;

/// <summary>
/// RFC 1939 §6 under SIGKILL: the server process is killed at varied points of a session over a real
/// Maildir. Afterwards every message that was not marked is still there, byte-identical; a marked one is
/// there (byte-identical) or gone, never half-written; killing without QUIT, or during RETR, deletes
/// nothing; once QUIT's +OK was sent every marked message is gone; and the next server finds the mailbox
/// consistent (its LIST sizes match the files; the lock died with the process).
/// </summary>
/// <remarks>
/// <c>POP3_CRASH_ROUNDS</c> sets the number of rounds (default 10, for CI; 100 on demand):
/// <c>POP3_CRASH_ROUNDS=100 dotnet test tests/Pop3.Server.Tests --filter FullyQualifiedName~CrashSafety</c>.
/// <c>POP3_CRASH_SEED</c> replays a run. SIGKILL ends the process, not the machine: it proves the order of
/// operations and that nothing is half-written, not the fsync (which only a power cut would show).
/// </remarks>
public sealed class CrashSafetyTests(ITestOutputHelper output) : IDisposable
{
    private const string User = "alice";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pop3-crash-" + Guid.NewGuid().ToString("N"));

    /// <summary>The messages that must (or may) be in the Maildir, by unique name (the file name before ':').</summary>
    private readonly Dictionary<string, byte[]> _expected = new(StringComparer.Ordinal);
    private int _delivered;

    private enum Scenario
    {
        /// <summary>DELE, QUIT, SIGKILL after a random spin of 0–5,000 µs.</summary>
        QuitThenKillAfterDelay,

        /// <summary>DELE, QUIT, SIGKILL as soon as inotify reports the first unlinked file.</summary>
        QuitThenKillAtFirstUnlink,

        /// <summary>DELE, one marked file removed by "another client", QUIT, read +OK, SIGKILL: all marked are gone.</summary>
        QuitReadOkThenKill,

        /// <summary>DELE, RETR of a large message, SIGKILL mid-transfer: nothing deleted.</summary>
        KillDuringRetr,

        /// <summary>DELE, no QUIT, SIGKILL: nothing deleted.</summary>
        KillWithoutQuit,

        /// <summary>USER/PASS then SIGKILL after a random spin (new/ to cur/ moves, listing, size index): nothing lost.</summary>
        KillDuringLogin,
    }

    [Fact]
    [Trait("Category", "Crash")]
    [Trait("Category", "Slow")]
    public async Task Sigkill_at_any_point_of_a_session_never_loses_or_half_writes_a_message()
    {
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("POP3_CRASH_ROUNDS"), out var r) ? r : 10;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("POP3_CRASH_SEED"), out var s) ? s : Environment.TickCount;
        output.WriteLine($"{rounds} rounds, POP3_CRASH_SEED={seed}");
        var random = new Random(seed);
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        foreach (var folder in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(Maildir, folder));
        }

        await File.WriteAllTextAsync(Path.Combine(_root, "users"), $"{User}:{{PLAIN}}secret\n");
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            var scenario = (Scenario)(round % 6);
            Deliver(random, 12 - _expected.Count);
            var outcome = await RunRoundAsync(scenario, random);
            var gone = VerifyAfterKill(scenario, outcome);
            output.WriteLine($"round {round}: {scenario}, {outcome.Marked.Count} marked, {gone} gone{(outcome.QuitOk ? ", +OK seen" : "")}");
        }

        output.WriteLine($"{rounds} rounds in {clock.Elapsed}");
    }

    private string Maildir => Path.Combine(_root, User, "Maildir");

    private sealed record Outcome(HashSet<string> Marked, bool QuitOk);

    private async Task<Outcome> RunRoundAsync(Scenario scenario, Random random)
    {
        await using var server = await ServerProcess.StartAsync(_root);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        var stream = tcp.GetStream();
        var reader = new LineReader(stream);
        Assert.StartsWith("+OK", await reader.LineAsync());
        await stream.WriteAsync("USER alice\r\nPASS secret\r\n"u8.ToArray());
        if (scenario == Scenario.KillDuringLogin)
        {
            Spin(random.Next(0, 3000));
            server.Kill();
            await server.WaitForExitAsync();
            return new Outcome([], false);
        }

        Assert.StartsWith("+OK", await reader.LineAsync());
        var loggedIn = await reader.LineAsync();
        Assert.StartsWith("+OK Logged in", loggedIn);

        // The previous kill left a consistent mailbox: the new server lists exactly what is on disk, with true sizes.
        var uids = await ListAsync(stream, reader, "UIDL");
        var sizes = await ListAsync(stream, reader, "LIST");
        Assert.Equal(_expected.Keys.Order(StringComparer.Ordinal), uids.Values.Order(StringComparer.Ordinal));
        foreach (var (number, uid) in uids)
        {
            Assert.Equal(Pop3MessageWriter.Measure(_expected[uid]).ToString(), sizes[number]);
        }

        var marked = new HashSet<string>(StringComparer.Ordinal);
        var numbers = uids.Keys.ToArray();
        random.Shuffle(numbers);
        var commands = new StringBuilder();
        foreach (var number in numbers.Take(random.Next(1, numbers.Length)))
        {
            commands.Append($"DELE {number}\r\n");
            marked.Add(uids[number]);
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(commands.ToString()));
        for (var i = 0; i < marked.Count; i++)
        {
            Assert.Equal("+OK Marked to be deleted", await reader.LineAsync());
        }

        var quitOk = false;
        switch (scenario)
        {
            case Scenario.QuitThenKillAfterDelay:
                await stream.WriteAsync("QUIT\r\n"u8.ToArray());
                Spin(random.Next(0, 5000));
                server.Kill();
                break;

            case Scenario.QuitThenKillAtFirstUnlink:
            {
                using var watcher = new FileSystemWatcher(Path.Combine(Maildir, "cur"));
                var unlinked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                watcher.Deleted += (_, _) =>
                {
                    server.Kill();
                    unlinked.TrySetResult();
                };
                watcher.EnableRaisingEvents = true;
                await stream.WriteAsync("QUIT\r\n"u8.ToArray());

                // Either the first unlink kills it, or the reply comes first (a fast commit) and we kill then.
                await Task.WhenAny(unlinked.Task, reader.LineAsync()).WaitAsync(TimeSpan.FromSeconds(30));
                server.Kill();
                break;
            }

            case Scenario.QuitReadOkThenKill:
            {
                // Deleting is idempotent: a marked message already gone is not an error.
                File.Delete(FindFile(marked.First())!);
                await stream.WriteAsync("QUIT\r\n"u8.ToArray());
                Assert.Equal("+OK Logging out, messages deleted", await reader.LineAsync());
                quitOk = true;
                server.Kill();
                break;
            }

            case Scenario.KillDuringRetr:
            {
                var biggest = uids.Where(pair => !marked.Contains(pair.Value)).MaxBy(pair => _expected[pair.Value].Length).Key;
                await stream.WriteAsync(Encoding.ASCII.GetBytes($"RETR {biggest}\r\n"));
                Assert.StartsWith("+OK", await reader.LineAsync());
                server.Kill();
                break;
            }

            case Scenario.KillWithoutQuit:
                server.Kill();
                break;
        }

        await server.WaitForExitAsync();
        return new Outcome(marked, quitOk);
    }

    private int VerifyAfterKill(Scenario scenario, Outcome outcome)
    {
        var gone = 0;
        var mayDelete = scenario is Scenario.QuitThenKillAfterDelay or Scenario.QuitThenKillAtFirstUnlink or Scenario.QuitReadOkThenKill;
        var files = Directory.EnumerateFiles(Path.Combine(Maildir, "cur")).Concat(Directory.EnumerateFiles(Path.Combine(Maildir, "new"))).ToList();
        foreach (var (uid, bytes) in _expected.ToArray())
        {
            var matches = files.Where(f => UidOf(f) == uid).ToList();
            Assert.True(matches.Count <= 1, $"{uid} is there twice: {string.Join(", ", matches)}");
            if (matches.Count == 1)
            {
                Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(matches[0])), $"{uid} changed");
                Assert.False(outcome.QuitOk && outcome.Marked.Contains(uid), $"{uid} was marked and QUIT said +OK, yet it is still there");
                files.Remove(matches[0]);
                continue;
            }

            Assert.True(outcome.Marked.Contains(uid), $"{uid} was not marked, yet it is gone");
            Assert.True(mayDelete, $"{uid} is gone though the session never reached UPDATE ({scenario})");
            _expected.Remove(uid);
            gone++;
        }

        Assert.Empty(files);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Maildir, "tmp")));
        return gone;
    }

    /// <summary>Delivers <paramref name="count"/> messages as an MDA does (tmp/ then rename into new/): varied sizes, LF and CRLF, lines with leading dots.</summary>
    private void Deliver(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var uid = $"{1_700_000_000 + _delivered}.M{_delivered}P{Environment.ProcessId}Q1.crash";
            _delivered++;
            var size = random.Next(8) == 0 ? random.Next(1_000_000, 3_000_000) : random.Next(10, 20_000);
            var body = new StringBuilder($"Subject: message {uid}\r\n\r\n");
            while (body.Length < size)
            {
                body.Append(random.Next(6) == 0 ? "." : "").Append('x', random.Next(0, 120)).Append(random.Next(2) == 0 ? "\n" : "\r\n");
            }

            var bytes = Encoding.ASCII.GetBytes(body.ToString());
            var temporary = Path.Combine(Maildir, "tmp", uid);
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, Path.Combine(Maildir, "new", uid));
            _expected[uid] = bytes;
        }
    }

    private string? FindFile(string uid) =>
        Directory.EnumerateFiles(Path.Combine(Maildir, "cur")).Concat(Directory.EnumerateFiles(Path.Combine(Maildir, "new"))).FirstOrDefault(f => UidOf(f) == uid);

    private static string UidOf(string path)
    {
        var name = Path.GetFileName(path);
        var colon = name.IndexOf(':');
        return colon < 0 ? name : name[..colon];
    }

    private static async Task<Dictionary<int, string>> ListAsync(NetworkStream stream, LineReader reader, string command)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
        Assert.StartsWith("+OK", await reader.LineAsync());
        var listing = new Dictionary<int, string>();
        while (await reader.LineAsync() is var line && line != ".")
        {
            var space = line.IndexOf(' ');
            listing[int.Parse(line[..space])] = line[(space + 1)..];
        }

        return listing;
    }

    /// <summary>A busy wait: the kill point is the variable of the experiment, in microseconds, so no timer will do.</summary>
    private static void Spin(int microseconds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalMicroseconds < microseconds)
        {
            Thread.SpinWait(20);
        }
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

    /// <summary>Reads CRLF lines from the stream (bounded: 60 s per line).</summary>
    private sealed class LineReader(NetworkStream stream)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly StringBuilder _pending = new();

        public async Task<string> LineAsync()
        {
            while (true)
            {
                var text = _pending.ToString();
                var end = text.IndexOf("\r\n", StringComparison.Ordinal);
                if (end >= 0)
                {
                    _pending.Remove(0, end + 2);
                    return text[..end];
                }

                var read = await stream.ReadAsync(_buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
                if (read == 0)
                {
                    throw new EndOfStreamException(text);
                }

                _pending.Append(Encoding.Latin1.GetString(_buffer, 0, read));
            }
        }
    }
}
