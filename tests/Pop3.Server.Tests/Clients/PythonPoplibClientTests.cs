using System.Text.Json;
using Pop3.Kestrel.Sessions;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Clients;

/// <summary>
/// Python's poplib (Debian package python3) against the real server. poplib hands back each message
/// as lines without their CRLF and already un-stuffed ("..x" becomes ".x"); joining them with CRLF
/// (every line, the last one too) must give the CRLF-normalised message exactly. retr's octet count
/// (line lengths with CRLF, minus the stuffing dots) must equal the LIST size.
/// </summary>
[Trait("Category", "Interop")]
public sealed class PythonPoplibClientTests : IAsyncLifetime, IDisposable
{
    private const string Script = """
        import json, poplib, sys

        port, outdir, delete, maxline = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
        if maxline:
            poplib._MAXLINE = maxline
        text = lambda b: b.decode('latin-1')

        pop = poplib.POP3('127.0.0.1', port, timeout=30)
        report = {'welcome': text(pop.getwelcome())}
        report['user'] = text(pop.user('alice'))
        report['pass'] = text(pop.pass_('secret'))
        report['stat'] = list(pop.stat())
        report['list'] = [text(line) for line in pop.list()[1]]
        report['uidl'] = [text(line) for line in pop.uidl()[1]]
        report['octets'] = []
        for n in range(1, report['stat'][0] + 1):
            _, lines, octets = pop.retr(n)
            report['octets'].append(octets)
            with open(f'{outdir}/{n}', 'wb') as out:
                out.write(b''.join(line + b'\r\n' for line in lines))
        report['dele'] = [text(pop.dele(int(n))) for n in delete.split(',') if n]
        report['quit'] = text(pop.quit())
        print(json.dumps(report))
        """;

    private readonly Pop3SessionRecorder _sessions = new();
    private readonly Pop3ServerFactory _server = new();
    private readonly TempDirectory _home = new();
    private CorpusMailbox _mailbox = CorpusMailbox.Of(CorpusMailbox.Tricky);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _home.Dispose();

    private sealed record Report(string Welcome, string User, string Pass, int[] Stat, string[] List, string[] Uidl, long[] Octets, string[] Dele, string Quit);

    private async Task<Report> RunPoplibAsync(string delete = "", int maxLine = 0)
    {
        _server.WithInMemoryMail(_mailbox.Store).WithSessionRecorder(_sessions);
        var script = _home["poplib_session.py"];
        await File.WriteAllTextAsync(script, Script);
        var output = Directory.CreateDirectory(_home["retrieved"]).FullName;
        var result = await ExternalTool.RunAsync("python3", "python3", _home.Path, script, _server.Pop3EndPoint.Port.ToString(), output, delete, maxLine.ToString());
        Assert.True(result.ExitCode == 0, $"poplib: {result}");
        return JsonSerializer.Deserialize<Report>(result.StandardOutput, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    private byte[] Retrieved(int number) => File.ReadAllBytes(Path.Combine(_home["retrieved"], number.ToString()));

    [Fact]
    public async Task Stat_list_uidl_and_retr_agree_with_the_store_byte_for_byte()
    {
        var report = await RunPoplibAsync();

        Assert.Equal("+OK Pop3.Kestrel ready", report.Welcome);
        Assert.Equal("+OK Send your password", report.User);
        var total = Enumerable.Range(1, _mailbox.Count).Sum(n => _mailbox.Expected(n).Length);
        Assert.Equal($"+OK Logged in, {_mailbox.Count} messages ({total} octets)", report.Pass);
        Assert.Equal([_mailbox.Count, total], report.Stat);
        Assert.Equal(_mailbox.ScanListing(), string.Concat(report.List.Select(line => line + "\r\n")));
        Assert.Equal(_mailbox.UidListing(), string.Concat(report.Uidl.Select(line => line + "\r\n")));
        for (var n = 1; n <= _mailbox.Count; n++)
        {
            Assert.Equal(_mailbox.Expected(n).Length, report.Octets[n - 1]);
            BytesAssert.Equal(_mailbox.Expected(n), Retrieved(n), _mailbox.Names[n - 1]);
        }

        Assert.Equal("+OK Logging out", report.Quit);
        Assert.Equal(Pop3SessionEnd.Quit, (await _sessions.NextEndAsync()).End);
        Assert.Equal(_mailbox.Ids, _mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task Dele_then_quit_removes_exactly_those_messages()
    {
        var report = await RunPoplibAsync(delete: "1,3");

        Assert.Equal(["+OK Marked to be deleted", "+OK Marked to be deleted"], report.Dele);
        Assert.Equal("+OK Logging out, messages deleted", report.Quit);
        Assert.Equal(2, (await _sessions.NextEndAsync()).Deleted);
        Assert.Equal(_mailbox.Ids.Where((_, i) => i is not 0 and not 2), _mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task Every_corpus_message_arrives_byte_for_byte()
    {
        // poplib refuses lines over poplib._MAXLINE (2048) as a guard of its own; 052 and 056 have
        // 7k-octet lines, so the limit is raised for this test. That is a client limit, not ours.
        _mailbox = CorpusMailbox.All();
        var report = await RunPoplibAsync(maxLine: 1 << 20);

        var failures = new List<string>();
        for (var n = 1; n <= _mailbox.Count; n++)
        {
            if (report.Octets[n - 1] != _mailbox.Expected(n).Length)
            {
                failures.Add($"{_mailbox.Names[n - 1]}: retr counted {report.Octets[n - 1]} octets, expected {_mailbox.Expected(n).Length}");
            }

            if (BytesAssert.Difference(_mailbox.Expected(n), Retrieved(n), _mailbox.Names[n - 1]) is { } difference)
            {
                failures.Add(difference);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
