using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pop3.AttackHarness;

/// <summary>
/// The five attacks of the robustness targets, each against a freshly started server with defaults, from its own block
/// of 127.x.y.z source addresses (a: 127.10, b: 127.20, c: 127.30, d: 127.40-41, e: 127.50 and 127.60).
/// </summary>
internal sealed class AttackScenarios(HarnessOptions options)
{
    private const string LoggedIn = "+OK Logged in";

    // The server's log line for a password check that failed (one per evaluated guess).
    private const string FailedCheckLine = "Authentication failed (";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>(a) 50 parallel connections from one address, each guessing twice, then the right password.</summary>
    public async Task<ScenarioResult> ParallelGuessingAsync(CancellationToken cancellationToken)
    {
        const string Attack = "a: 50 parallel connections from one address, 2 guesses each, then the right password";
        const string Target = "right password accepted 0 times; at most BanAfterFailures (10) guesses evaluated";
        var users = new Dictionary<string, string> { ["alice"] = "alice-right-password", ["bob"] = "bob-right-password" };
        await using var server = await ServerUnderTest.StartAsync(options, users, cancellationToken);
        var before = await server.MetricsAsync(cancellationToken);
        var address = LoopbackClient.Address(10, 0);
        int accepted = 0, refusedAtConnect = 0, failedReplies = 0, closed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            await using var client = await LoopbackClient.ConnectAsync(address, server.EndPoint, cancellationToken);
            if (await client.ReadLineAsync(cancellationToken) is not { } greeting || !greeting.StartsWith("+OK", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref refusedAtConnect);
                return;
            }

            foreach (var password in new[] { "guess-1", "guess-2", users["alice"] })
            {
                var reply = await client.LoginAsync("alice", password, cancellationToken);
                if (reply is null)
                {
                    Interlocked.Increment(ref closed);
                    return;
                }

                if (reply.StartsWith(LoggedIn, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref accepted);
                    await client.CommandAsync("QUIT", cancellationToken);
                    return;
                }

                Interlocked.Increment(ref failedReplies);
            }
        }));

        var evaluated = server.CountLog(FailedCheckLine);
        var deltas = Deltas(before, await server.MetricsAsync(cancellationToken), "guess", "ban", "login", "refus");
        var result = new ScenarioResult("a", Attack, Target,
            $"right password accepted {accepted} times; {evaluated} failed password checks logged; {refusedAtConnect} refused at connect; {Seconds(clock)} s",
            accepted == 0 && evaluated <= 10);
        result.Figures["accepted"] = accepted;
        result.Figures["failedChecksLogged"] = evaluated;
        result.Figures["failedReplies"] = failedReplies;
        result.Figures["refusedAtConnect"] = refusedAtConnect;
        result.Figures["closedByServer"] = closed;
        result.Figures["seconds"] = clock.Elapsed.TotalSeconds;
        result.Figures["metricDeltas"] = deltas;
        return result;
    }

    /// <summary>(b) 20 addresses x 5 guesses at one user; then that user from a familiar and from a never-seen address.</summary>
    public async Task<ScenarioResult> DistributedGuessingAsync(CancellationToken cancellationToken)
    {
        const string Attack = "b: 20 addresses x 5 guesses at carol; then carol's right password from a familiar and a new address";
        const string Target = "works from the address carol used before; refused from a never-seen address";
        var users = new Dictionary<string, string> { ["carol"] = "carol-right-password" };
        await using var server = await ServerUnderTest.StartAsync(options, users, cancellationToken);
        var familiar = LoopbackClient.Address(20, 200);
        var before = await LoginOnceAsync(server, familiar, "carol", users["carol"], cancellationToken);
        var metricsBefore = await server.MetricsAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var sent = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => GuessAsync(server, LoopbackClient.Address(20, i), "carol", 5, cancellationToken)));
        var fromFamiliar = await LoginOnceAsync(server, familiar, "carol", users["carol"], cancellationToken);
        var fromNew = await LoginOnceAsync(server, LoopbackClient.Address(20, 400), "carol", users["carol"], cancellationToken);
        var familiarWorks = fromFamiliar?.StartsWith(LoggedIn, StringComparison.Ordinal) == true;
        var newRefused = fromNew?.StartsWith(LoggedIn, StringComparison.Ordinal) != true;
        var result = new ScenarioResult("b", Attack, Target,
            $"familiar address: {Short(fromFamiliar)}; new address: {Short(fromNew)}; {sent.Sum()} guesses sent in {Seconds(clock)} s",
            familiarWorks && newRefused);
        result.Figures["loginBeforeAttack"] = before ?? "(closed)";
        result.Figures["guessesSent"] = sent.Sum();
        result.Figures["failedChecksLogged"] = server.CountLog(FailedCheckLine);
        result.Figures["fromFamiliarAddress"] = fromFamiliar ?? "(closed)";
        result.Figures["fromNewAddress"] = fromNew ?? "(closed)";
        result.Figures["metricDeltas"] = Deltas(metricsBefore, await server.MetricsAsync(cancellationToken), "guess", "ban", "login", "refus");
        return result;
    }

    /// <summary>(c) 30 guesses at alice from a shared address where bob logged in before; then bob there.</summary>
    public async Task<ScenarioResult> SharedAddressAsync(CancellationToken cancellationToken)
    {
        const string Attack = "c: 30 guesses at alice from a shared address where bob logged in before; then bob's right password there";
        const string Target = "bob's login works";
        var users = new Dictionary<string, string> { ["alice"] = "alice-right-password", ["bob"] = "bob-right-password" };
        await using var server = await ServerUnderTest.StartAsync(options, users, cancellationToken);
        var shared = LoopbackClient.Address(30, 0);
        var before = await LoginOnceAsync(server, shared, "bob", users["bob"], cancellationToken);
        var clock = Stopwatch.StartNew();
        var sent = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => GuessAsync(server, shared, "alice", 3, cancellationToken)));
        var bob = await LoginOnceAsync(server, shared, "bob", users["bob"], cancellationToken);
        var works = bob?.StartsWith(LoggedIn, StringComparison.Ordinal) == true;
        var result = new ScenarioResult("c", Attack, Target, $"bob: {Short(bob)}; {sent.Sum()} guesses sent in {Seconds(clock)} s", works);
        result.Figures["loginBeforeAttack"] = before ?? "(closed)";
        result.Figures["guessesSent"] = sent.Sum();
        result.Figures["failedChecksLogged"] = server.CountLog(FailedCheckLine);
        result.Figures["bob"] = bob ?? "(closed)";
        return result;
    }

    /// <summary>(d) Silent connections from many addresses held (and re-opened when closed); a new client logs in and RETRs.</summary>
    public async Task<ScenarioResult> IdleFloodAsync(CancellationToken cancellationToken)
    {
        var attack = $"d: {options.IdleConnections:N0} silent connections from {options.IdleAddresses} addresses held{(options.Reconnect ? ", each re-opened as soon as it is closed" : "")}; a new client logs in and RETRs";
        const string Target = "login + RETR 1 within 3 s";
        var users = new Dictionary<string, string> { ["dave"] = "dave-right-password" };
        await using var server = await ServerUnderTest.StartAsync(options, users, cancellationToken);
        var rssBefore = server.RssKiB();
        using var flood = new SilentFlood(server.EndPoint, 40, options.IdleConnections, options.IdleAddresses, options.Reconnect);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = flood.RunAsync(stop.Token);
        var opened = await flood.WaitOpenedAsync(TimeSpan.FromSeconds(60), cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var openedBeforeLogins = flood.Opened;

        var times = new List<double>();
        var failures = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (seconds, error) = await LoginAndRetrAsync(server, LoopbackClient.Address(41, i), "dave", users["dave"], cancellationToken);
            times.Add(seconds);
            if (error is not null)
            {
                failures.Add(error);
            }
        }

        var rssDuring = server.RssKiB();
        var metrics = await server.MetricsAsync(cancellationToken);
        var openedDuringLogins = flood.Opened - openedBeforeLogins;
        await stop.CancelAsync();
        await running;
        times.Sort();
        var held = failures.Count == 0 && times[^1] <= 3.0;
        var result = new ScenarioResult("d", attack, Target,
            $"5 logins + RETR: median {times[2]:F3} s, max {times[^1]:F3} s, {failures.Count} failed; flood opened {flood.Opened:N0} connections, {flood.ClosedByServer:N0} closed by the server",
            held);
        result.Figures["loginSeconds"] = times;
        result.Figures["loginFailures"] = failures;
        result.Figures["allOpenedWithin60s"] = opened;
        result.Figures["floodConnectionsOpened"] = flood.Opened;
        result.Figures["floodOpenedDuringLogins"] = openedDuringLogins;
        result.Figures["floodClosedByServer"] = flood.ClosedByServer;
        result.Figures["floodConnectFailures"] = flood.ConnectFailures;
        result.Figures["serverRssKiBBefore"] = rssBefore;
        result.Figures["serverRssKiBDuring"] = rssDuring;
        result.Figures["serverEvictions"] = Select(metrics, "evicted");
        return result;
    }

    /// <summary>(e) Thousands of silent connections: the server's memory, and logged-in sessions opened before are never dropped.</summary>
    public async Task<ScenarioResult> MassFloodAsync(CancellationToken cancellationToken)
    {
        var attack = $"e: {options.FloodConnections:N0} silent connections from {options.FloodAddresses} addresses, 10 logged-in sessions opened before";
        const string Target = "server memory bounded; no logged-in session dropped";
        var users = Enumerable.Range(1, 10).ToDictionary(i => "user" + i.ToString("D2", Invariant), i => "password-" + i.ToString(Invariant));
        await using var server = await ServerUnderTest.StartAsync(options, users, cancellationToken);
        var sessions = new List<LoopbackClient>();
        try
        {
            foreach (var (user, password) in users)
            {
                var client = await LoopbackClient.ConnectAsync(LoopbackClient.Address(60, sessions.Count), server.EndPoint, cancellationToken);
                sessions.Add(client);
                await client.ReadLineAsync(cancellationToken);
                var reply = await client.LoginAsync(user, password, cancellationToken);
                if (reply?.StartsWith(LoggedIn, StringComparison.Ordinal) != true)
                {
                    throw new InvalidOperationException($"{user} could not log in before the flood: {reply}");
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            var rssBefore = server.RssKiB();
            long rssPeak = rssBefore;
            using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampling = Task.Run(async () =>
            {
                while (!stopSampling.IsCancellationRequested)
                {
                    rssPeak = Math.Max(rssPeak, server.RssKiB());
                    try
                    {
                        await Task.Delay(200, stopSampling.Token);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }, CancellationToken.None);

            using var flood = new SilentFlood(server.EndPoint, 50, options.FloodConnections, options.FloodAddresses, reconnect: false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var clock = Stopwatch.StartNew();
            var running = flood.RunAsync(stop.Token);
            var allOpened = await flood.WaitOpenedAsync(TimeSpan.FromSeconds(120), cancellationToken);
            var openSeconds = clock.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var rssDuring = server.RssKiB();
            var metrics = await server.MetricsAsync(cancellationToken);
            var aliveDuring = await CountAliveAsync(sessions, cancellationToken);
            var heldOpen = flood.Open;
            await stop.CancelAsync();
            await running;
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            await stopSampling.CancelAsync();
            await sampling;
            var rssAfter = server.RssKiB();
            var aliveAfter = await CountAliveAsync(sessions, cancellationToken);
            var result = new ScenarioResult("e", attack, Target,
                $"server RSS {rssBefore / 1024} MiB before, {rssDuring / 1024} MiB during (peak {rssPeak / 1024}), {rssAfter / 1024} MiB after; logged-in sessions alive {aliveDuring}/10 during, {aliveAfter}/10 after; {flood.ClosedByServer:N0} of {flood.Opened:N0} closed by the server, {heldOpen:N0} held at the end",
                aliveDuring == 10 && aliveAfter == 10);
            result.Figures["serverRssKiBBefore"] = rssBefore;
            result.Figures["serverRssKiBDuring"] = rssDuring;
            result.Figures["serverRssKiBPeak"] = rssPeak;
            result.Figures["serverRssKiBAfter"] = rssAfter;
            result.Figures["sessionsAliveDuring"] = aliveDuring;
            result.Figures["sessionsAliveAfter"] = aliveAfter;
            result.Figures["allOpenedWithin120s"] = allOpened;
            result.Figures["secondsToOpen"] = openSeconds;
            result.Figures["floodConnectionsOpened"] = flood.Opened;
            result.Figures["floodClosedByServer"] = flood.ClosedByServer;
            result.Figures["floodHeldOpenAtEnd"] = heldOpen;
            result.Figures["floodConnectFailures"] = flood.ConnectFailures;
            result.Figures["serverEvictions"] = Select(metrics, "evicted");
            return result;
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    private static async Task<int> CountAliveAsync(List<LoopbackClient> sessions, CancellationToken cancellationToken)
    {
        var alive = 0;
        foreach (var session in sessions)
        {
            if ((await session.CommandAsync("STAT", cancellationToken))?.StartsWith("+OK", StringComparison.Ordinal) == true)
            {
                alive++;
            }
        }

        return alive;
    }

    private static async Task<(double Seconds, string? Error)> LoginAndRetrAsync(ServerUnderTest server, IPAddress from, string user, string password, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await using var client = await LoopbackClient.ConnectAsync(from, server.EndPoint, cancellationToken);
            var greeting = await client.ReadLineAsync(cancellationToken);
            if (greeting?.StartsWith("+OK", StringComparison.Ordinal) != true)
            {
                return (clock.Elapsed.TotalSeconds, "greeting: " + Short(greeting));
            }

            var login = await client.LoginAsync(user, password, cancellationToken);
            if (login?.StartsWith(LoggedIn, StringComparison.Ordinal) != true)
            {
                return (clock.Elapsed.TotalSeconds, "login: " + Short(login));
            }

            var retr = await client.CommandAsync("RETR 1", cancellationToken);
            if (retr?.StartsWith("+OK", StringComparison.Ordinal) != true || !await client.ReadBodyAsync(cancellationToken))
            {
                return (clock.Elapsed.TotalSeconds, "RETR: " + Short(retr));
            }

            var seconds = clock.Elapsed.TotalSeconds;
            await client.CommandAsync("QUIT", cancellationToken);
            return (seconds, null);
        }
        catch (SocketException e)
        {
            return (clock.Elapsed.TotalSeconds, "connect: " + e.SocketErrorCode);
        }
    }

    private static async Task<string?> LoginOnceAsync(ServerUnderTest server, IPAddress from, string user, string password, CancellationToken cancellationToken)
    {
        await using var client = await LoopbackClient.ConnectAsync(from, server.EndPoint, cancellationToken);
        var greeting = await client.ReadLineAsync(cancellationToken);
        if (greeting?.StartsWith("+OK", StringComparison.Ordinal) != true)
        {
            return greeting;
        }

        var reply = await client.LoginAsync(user, password, cancellationToken);
        await client.CommandAsync("QUIT", cancellationToken);
        return reply;
    }

    /// <summary>Sends <paramref name="guesses"/> wrong passwords for <paramref name="user"/>, reconnecting when closed; returns how many were sent.</summary>
    private static async Task<int> GuessAsync(ServerUnderTest server, IPAddress from, string user, int guesses, CancellationToken cancellationToken)
    {
        var sent = 0;
        for (var connections = 0; sent < guesses && connections < guesses; connections++)
        {
            await using var client = await LoopbackClient.ConnectAsync(from, server.EndPoint, cancellationToken);
            if ((await client.ReadLineAsync(cancellationToken))?.StartsWith("+OK", StringComparison.Ordinal) != true)
            {
                // Refused at connect (a ban): the rest of this address's guesses cannot be sent.
                return sent;
            }

            while (sent < guesses)
            {
                var reply = await client.LoginAsync(user, $"wrong-{from}-{sent}", cancellationToken);
                if (reply is null)
                {
                    break;
                }

                sent++;
            }
        }

        return sent;
    }

    private static Dictionary<string, double> Deltas(Dictionary<string, double> before, Dictionary<string, double> after, params string[] names) =>
        after.Where(s => names.Any(n => s.Key.Contains(n, StringComparison.Ordinal)) && !s.Key.Contains("_bucket", StringComparison.Ordinal))
            .Select(s => (s.Key, Delta: s.Value - before.GetValueOrDefault(s.Key)))
            .Where(s => s.Delta != 0)
            .ToDictionary(s => s.Key, s => s.Delta);

    private static Dictionary<string, double> Select(Dictionary<string, double> metrics, string name) =>
        metrics.Where(s => s.Key.Contains(name, StringComparison.Ordinal)).ToDictionary();

    private static string Short(string? reply) => reply is null ? "(closed)" : reply.Length <= 60 ? reply : reply[..60] + "...";

    private static string Seconds(Stopwatch clock) => clock.Elapsed.TotalSeconds.ToString("F1", Invariant);
}
