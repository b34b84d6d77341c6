using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pop3.LoadTool;

/// <summary>Runs one scenario against a loopback POP3 server. The public entry point for the CLI and for tests.</summary>
public static class LoadRunner
{
    public static readonly IReadOnlyList<string> Scenarios = ["login", "retr", "pipeline", "idle", "bigbox"];

    /// <summary>Runs <paramref name="options"/>; throws <see cref="ArgumentException"/> for a non-loopback target before connecting anywhere.</summary>
    public static async Task<LoadResult> RunAsync(LoadOptions options, CancellationToken cancellationToken = default)
    {
        var endPoint = options.ResolveLoopback();
        if (!Scenarios.Contains(options.Scenario))
        {
            throw new ArgumentException($"Unknown scenario '{options.Scenario}'; one of {string.Join(", ", Scenarios)}.");
        }

        var run = new Run(options, endPoint);
        return options.Scenario == "idle" ? await run.IdleAsync(cancellationToken) : await run.WorkersAsync(cancellationToken);
    }

    private sealed class Run(LoadOptions options, IPEndPoint endPoint)
    {
        private readonly ConcurrentQueue<string> _firstErrors = new();
        private readonly ConcurrentBag<double[]> _latencies = [];
        private long _errors;
        private long _operations;
        private long _bytes;
        private long _started;
        private int _mailboxMessages;

        public async Task<LoadResult> WorkersAsync(CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var measure = Measure.Start(options.ServerPid);
            stop.CancelAfter(options.Duration);
            var workers = Enumerable.Range(0, options.Concurrency).Select(i => Task.Run(() => WorkerAsync(i, stop.Token), CancellationToken.None)).ToArray();
            await Task.WhenAll(workers);
            return Finish(measure.Stop());
        }

        private async Task WorkerAsync(int worker, CancellationToken stop)
        {
            var latencies = new List<double>();
            var user = options.UserFor(worker);
            try
            {
                await RunWorkerAsync(user, latencies, stop);
            }
            finally
            {
                // Also when --max-requests ends the worker: its latencies count.
                _latencies.Add([.. latencies]);
            }
        }

        private async Task RunWorkerAsync(string user, List<double> latencies, CancellationToken stop)
        {
            var failures = 0;
            // Interlocked.Read: --max-requests used up ends the worker, not only its session (it would log in again and again).
            while (!stop.IsCancellationRequested && failures < 10 && Interlocked.Read(ref _started) < options.MaxRequests)
            {
                try
                {
                    switch (options.Scenario)
                    {
                        case "login":
                            if (!Take())
                            {
                                return;
                            }

                            await LoginOnceAsync(user, latencies, stop);
                            break;
                        case "bigbox":
                            if (!Take())
                            {
                                return;
                            }

                            await BigboxOnceAsync(user, latencies, stop);
                            break;
                        case "retr":
                            await RetrSessionAsync(user, stop);
                            break;
                        case "pipeline":
                            await PipelineSessionAsync(user, stop);
                            break;
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The run's time is up in the middle of an operation: it is not counted.
                }
                catch (Exception e) when (e is Pop3CheckException or SocketException or IOException or System.Security.Authentication.AuthenticationException)
                {
                    failures++;
                    Error(e);
                }
            }
        }

        /// <summary>Claims one operation against --max-requests.</summary>
        private bool Take() => Interlocked.Increment(ref _started) <= options.MaxRequests;

        private async Task LoginOnceAsync(string user, List<double> latencies, CancellationToken stop)
        {
            var start = Stopwatch.GetTimestamp();
            await using var connection = await Pop3LoadConnection.ConnectAsync(endPoint, stop, options.Tls, options.TlsResume);
            await connection.LoginAsync(user, options.Password, stop);
            await connection.StatAsync(stop);
            await connection.QuitAsync(stop);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Interlocked.Increment(ref _operations);
        }

        private async Task BigboxOnceAsync(string user, List<double> latencies, CancellationToken stop)
        {
            await using var connection = await Pop3LoadConnection.ConnectAsync(endPoint, stop, options.Tls, options.TlsResume);
            await connection.SendAsync(Encoding.ASCII.GetBytes("USER " + user + "\r\n"), stop);
            await connection.ExpectOkAsync("USER", stop);

            // Login latency: from PASS sent to its +OK, which is when the maildrop has been opened and listed.
            var start = Stopwatch.GetTimestamp();
            await connection.SendAsync(Encoding.ASCII.GetBytes("PASS " + options.Password + "\r\n"), stop);
            await connection.ExpectOkAsync("PASS", stop);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            var (count, _) = await connection.StatAsync(stop);
            _mailboxMessages = count;
            await connection.QuitAsync(stop);
            Interlocked.Increment(ref _operations);
        }

        private async Task RetrSessionAsync(string user, CancellationToken stop)
        {
            await using var connection = await Pop3LoadConnection.ConnectAsync(endPoint, stop, options.Tls, options.TlsResume);
            await connection.LoginAsync(user, options.Password, stop);
            var (count, _) = await connection.StatAsync(stop);
            _mailboxMessages = count;
            if (count == 0)
            {
                throw new Pop3CheckException($"The mailbox of {user} is empty: nothing to RETR.");
            }

            var sizes = await connection.ListAsync(count, stop);

            // Every message in turn, round and round, until the time or the request budget is used up.
            for (var number = 1; !stop.IsCancellationRequested; number = number % count + 1)
            {
                if (!Take())
                {
                    break;
                }

                await connection.RetrAsync(number, sizes[number - 1], stop);
                Interlocked.Increment(ref _operations);
                Interlocked.Add(ref _bytes, sizes[number - 1]);
            }

            await connection.QuitAsync(CancellationToken.None);
        }

        private async Task PipelineSessionAsync(string user, CancellationToken stop)
        {
            await using var connection = await Pop3LoadConnection.ConnectAsync(endPoint, stop, options.Tls, options.TlsResume);
            await connection.LoginAsync(user, options.Password, stop);
            var (count, _) = await connection.StatAsync(stop);
            string[] mix = count > 0 ? ["NOOP", "STAT", "LIST 1", "UIDL 1"] : ["NOOP", "STAT"];
            var depth = Math.Max(1, options.Depth);
            var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, depth).Select(i => mix[i % mix.Length] + "\r\n")));
            while (!stop.IsCancellationRequested)
            {
                if (Interlocked.Add(ref _started, depth) - depth >= options.MaxRequests)
                {
                    break;
                }

                await connection.SendAsync(batch, stop);
                for (var i = 0; i < depth; i++)
                {
                    await connection.ExpectOkAsync(mix[i % mix.Length], stop);
                }

                Interlocked.Add(ref _operations, depth);
            }

            await connection.QuitAsync(CancellationToken.None);
        }

        public async Task<LoadResult> IdleAsync(CancellationToken cancellationToken)
        {
            var before = options.ServerPid > 0 ? ProcessStats.TreeMemory(options.ServerPid) : default;
            var measure = Measure.Start(options.ServerPid);
            var connections = new Pop3LoadConnection?[options.Concurrency];
            using var gate = new SemaphoreSlim(32);
            var opening = Enumerable.Range(0, options.Concurrency).Select(async i =>
            {
                await gate.WaitAsync(cancellationToken);
                try
                {
                    var connection = await Pop3LoadConnection.ConnectAsync(endPoint, cancellationToken, options.Tls, options.TlsResume);
                    connections[i] = connection;
                    await connection.LoginAsync(options.UserFor(i), options.Password, cancellationToken);
                    Interlocked.Increment(ref _operations);
                }
                catch (Exception e) when (e is Pop3CheckException or SocketException or IOException or System.Security.Authentication.AuthenticationException)
                {
                    Error(e);
                }
                finally
                {
                    gate.Release();
                }
            });
            await Task.WhenAll(opening);

            // Hold them, then measure the server while all are open, then prove each is alive.
            await Task.Delay(options.Duration, cancellationToken);
            var held = options.ServerPid > 0 ? ProcessStats.TreeMemory(options.ServerPid) : default;
            long alive = 0;
            await Task.WhenAll(connections.Select(async connection =>
            {
                if (connection is null)
                {
                    return;
                }

                await gate.WaitAsync(cancellationToken);
                try
                {
                    await connection.SendAsync("NOOP\r\n"u8.ToArray(), cancellationToken);
                    await connection.ExpectOkAsync("NOOP", cancellationToken);
                    Interlocked.Increment(ref alive);
                    await connection.QuitAsync(cancellationToken);
                }
                catch (Exception e) when (e is Pop3CheckException or SocketException or IOException or System.Security.Authentication.AuthenticationException)
                {
                    Error(e);
                }
                finally
                {
                    gate.Release();
                    await connection.DisposeAsync();
                }
            }));

            var result = Finish(measure.Stop());
            var sessions = Math.Max(1, _operations);
            return result with
            {
                Alive = alive,
                Ok = result.Ok && alive == options.Concurrency,
                PssPerSessionKiB = options.ServerPid > 0 ? (double)(held.PssKiB - before.PssKiB) / sessions : null,
                RssPerSessionKiB = options.ServerPid > 0 ? (double)(held.RssKiB - before.RssKiB) / sessions : null,
                ServerPssKiB = options.ServerPid > 0 ? held.PssKiB : null,
                ServerProcesses = options.ServerPid > 0 ? held.Processes : null,
            };
        }

        private void Error(Exception e)
        {
            if (Interlocked.Increment(ref _errors) <= 5)
            {
                _firstErrors.Enqueue(e.GetType().Name + ": " + e.Message);
            }
        }

        private LoadResult Finish(Measure.Sample sample)
        {
            var all = _latencies.SelectMany(l => l).Order().ToArray();
            var seconds = sample.WallSeconds;
            return new LoadResult
            {
                Label = options.Label,
                Scenario = options.Scenario,
                Concurrency = options.Concurrency,
                Depth = options.Scenario == "pipeline" ? options.Depth : 0,
                Ok = _errors == 0 && _operations > 0,
                Errors = _errors,
                FirstErrors = [.. _firstErrors],
                Seconds = seconds,
                Operations = _operations,
                OperationName = options.Scenario switch
                {
                    "retr" => "messages",
                    "pipeline" => "commands",
                    "bigbox" => "logins",
                    _ => "sessions",
                },
                OperationsPerSecond = _operations / seconds,
                Bytes = _bytes,
                MiBPerSecond = _bytes / 1048576.0 / seconds,
                LatencyP50Ms = Percentile(all, 0.50),
                LatencyP99Ms = Percentile(all, 0.99),
                MailboxMessages = _mailboxMessages,
                ClientCpuSeconds = sample.ClientCpuSeconds,
                ServerCpuSeconds = sample.ServerCpuSeconds,
                ServerCpuPerOperationUs = sample.ServerCpuSeconds is { } s && _operations > 0 ? s * 1e6 / _operations : null,
                ServerCpuPerByteNs = sample.ServerCpuSeconds is { } b && _bytes > 0 ? b * 1e9 / _bytes : null,
            };
        }

        private static double Percentile(double[] sorted, double p) =>
            sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>Wall time and the CPU of this process and of the server tree over the measured part.</summary>
    private sealed class Measure
    {
        private readonly int _serverPid;
        private readonly long _start = Stopwatch.GetTimestamp();
        private readonly double _client = ProcessStats.SelfCpuSeconds();
        private readonly double _server;

        private Measure(int serverPid)
        {
            _serverPid = serverPid;
            _server = serverPid > 0 ? ProcessStats.TreeCpuSeconds(serverPid) : 0;
        }

        public static Measure Start(int serverPid) => new(serverPid);

        public Sample Stop() => new(
            Stopwatch.GetElapsedTime(_start).TotalSeconds,
            ProcessStats.SelfCpuSeconds() - _client,
            _serverPid > 0 ? ProcessStats.TreeCpuSeconds(_serverPid) - _server : null);

        public readonly record struct Sample(double WallSeconds, double ClientCpuSeconds, double? ServerCpuSeconds);
    }
}
