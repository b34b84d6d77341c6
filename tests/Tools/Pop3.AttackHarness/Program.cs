using System.Diagnostics;
using System.Text.Json;
using Pop3.AttackHarness;

// dotnet run -c Release --project tests/Tools/Pop3.AttackHarness -- [--scenarios de] [--json report.json]
HarnessOptions options;
try
{
    options = HarnessOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 64;
}

var (soft, hard) = FileLimit.Raise();
var needed = (ulong)Math.Max(options.IdleConnections, options.FloodConnections) + 512;
if (soft != 0 && soft < needed)
{
    Console.Error.WriteLine($"ulimit -n is {soft} (hard {hard}); {needed} descriptors are needed: run `ulimit -n {needed}` as root first, or lower --flood/--idle.");
    return 75;
}

// The run stops by itself: scenarios are cancelled at the time limit, and a watchdog ends the process (and the
// server it started) shortly after, whatever is still running.
using var stop = new CancellationTokenSource(options.TimeLimit);
using var watchdog = new Timer(_ =>
{
    Console.Error.WriteLine("Time limit reached; stopping.");
    ServerProcesses.KillAll();
    Environment.Exit(3);
}, null, options.TimeLimit + TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var scenarios = new AttackScenarios(options);
(char Id, string Name, Func<CancellationToken, Task<ScenarioResult>> Run)[] all =
[
    ('a', "a: parallel guessing from one address", scenarios.ParallelGuessingAsync),
    ('b', "b: distributed guessing at one user", scenarios.DistributedGuessingAsync),
    ('c', "c: guessing from a shared address", scenarios.SharedAddressAsync),
    ('d', "d: silent connections held", scenarios.IdleFloodAsync),
    ('e', "e: thousands of silent connections", scenarios.MassFloodAsync),
];

var results = new List<ScenarioResult>();
var clock = Stopwatch.StartNew();
foreach (var (id, name, run) in all.Where(s => options.Scenarios.Contains(s.Id)))
{
    Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {name}...");
    using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
    limit.CancelAfter(options.ScenarioLimit);
    try
    {
        results.Add(await run(limit.Token));
    }
    catch (Exception e) when (e is not OutOfMemoryException)
    {
        results.Add(ScenarioResult.Failed(id.ToString(), name, "", e));
    }

    Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {results[^1].Measured}");
}

Console.WriteLine(Report.Table(results));
var json = Report.Json(results, soft, clock.Elapsed);
Console.WriteLine(json);
if (options.JsonPath is { } path)
{
    await File.WriteAllTextAsync(path, json);
}

return results.All(r => r.Held == true) ? 0 : 1;
