using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Maildir;

namespace Pop3.Benchmarks;

/// <summary>
/// What a login costs the Maildir backend: open (lock, new/ to cur/), list the snapshot, release. Messages are
/// files in cur/ named like Dovecot's LDA names them (S= and W= sizes), so no file is read; the mailbox is made once.
/// </summary>
[MemoryDiagnoser]
public class MaildirBenchmarks
{
    private string _root = "";
    private IOptions<MaildirOptions> _options = null!;

    /// <summary>Messages in the mailbox.</summary>
    [Params(10_000, 100_000)]
    public int Messages { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var count = Smoke.IsRunning ? 100 : Messages;
        _root = Path.Combine(Path.GetTempPath(), $"pop3-bench-maildir-{Environment.ProcessId}-{count}");
        var cur = Path.Combine(_root, "bench", "Maildir", "cur");
        Directory.CreateDirectory(cur);
        Directory.CreateDirectory(Path.Combine(_root, "bench", "Maildir", "new"));
        Directory.CreateDirectory(Path.Combine(_root, "bench", "Maildir", "tmp"));
        var body = MessageText.Make(4096, crlf: false);
        var crlfSize = body.Length + body.Count((byte)'\n');
        for (var i = 0; i < count; i++)
        {
            File.WriteAllBytes(Path.Combine(cur, $"{1764158400 + i}.M{i}P1.bench,S={body.Length},W={crlfSize}:2,"), body);
        }

        _options = Options.Create(new MaildirOptions { Path = Path.Combine(_root, "{user}", "Maildir") });
    }

    /// <summary>Open, list, dispose: the backend's share of a login.</summary>
    [Benchmark]
    public async Task<int> Open_and_list()
    {
        await using var maildrop = new MaildirMaildrop(_options, NullLogger<MaildirMaildrop>.Instance);
        await maildrop.OpenAsync("bench", CancellationToken.None);
        var list = await maildrop.ListAsync(CancellationToken.None);
        return list.Count;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);
}
