using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;
using Pop3.Tests;
using Serilog.Core;
using Serilog.Events;
using Xunit.Abstractions;

namespace Pop3.Server.Tests.Operations;

/// <summary>
/// A real HAProxy checking the server the ways operators configure it: each check is at most one Information line
/// in the server's log, never a warning, an error or a stack trace.
/// </summary>
[Collection(LogCaptureCollection.Name)]
[Trait("Category", "Interop")]
public sealed class HaproxyHealthCheckTests(ITestOutputHelper output)
{
    private const int ChecksPerKind = 5;

    /// <summary>
    /// The listeners (one per kind of check) and the HAProxy backend lines that check them. HAProxy's plain check
    /// resets the connection as soon as it is made, so it never leaves the kernel's accept queue: that listener must
    /// simply stay silent, and is not waited for.
    /// </summary>
    private static readonly (string Listener, bool Proxied, string Backend)[] Kinds =
    [
        ("Plain", false, "server s 127.0.0.1:{0} check inter 100ms"),
        ("TcpCheck", false, "option tcp-check\n  tcp-check expect string +OK\n  tcp-check send QUIT\\r\\n\n  tcp-check expect string +OK\n  server s 127.0.0.1:{0} check inter 100ms"),
        ("ProxyV2", true, "server s 127.0.0.1:{0} check inter 100ms send-proxy-v2"),
        ("ProxyV2TcpCheck", true, "option tcp-check\n  tcp-check expect string +OK\n  tcp-check send QUIT\\r\\n\n  tcp-check expect string +OK\n  server s 127.0.0.1:{0} check inter 100ms send-proxy-v2"),
    ];

    [Fact]
    public async Task Each_kind_of_health_check_logs_at_most_one_information_line_and_no_error()
    {
        var haproxy = ExternalProgram.Haproxy.Locate();
        var logs = new LogCapture();
        var store = new InMemoryMailStore();
        var server = new Pop3ServerFactory().WithInMemoryMail(store)
            .With("Serilog:Console:Format", "none")
            .With("Pop3:ProxyProtocol:TrustedNetworks:0", "127.0.0.0/8")
            .WithServices(s => s.AddSingleton<ILogEventSink>(logs));
        foreach (var (listener, proxied, _) in Kinds)
        {
            server.With($"Pop3:Endpoints:{listener}:Address", "127.0.0.1").With($"Pop3:Endpoints:{listener}:Port", "0");
            if (proxied)
            {
                server.With($"Pop3:Endpoints:{listener}:ProxyProtocol", "true");
            }
        }

        await using (server)
        {
            var ports = Kinds.ToDictionary(k => server.EndPointOf(k.Listener).Port, k => k.Listener);
            using var connections = new ClosedConnections(server, ports.Where(p => p.Value != "Plain").Select(p => p.Key));
            var folder = Directory.CreateTempSubdirectory("pop3-haproxy-");
            LogEvent[] checks;
            try
            {
                var config = Path.Combine(folder.FullName, "haproxy.cfg");
                await File.WriteAllTextAsync(config, Config(ports, Path.Combine(folder.FullName, "frontend.sock")));
                var before = logs.Events.Count;
                using var process = Process.Start(new ProcessStartInfo(haproxy, ["-db", "-f", config])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                })!;
                var stderr = process.StandardError.ReadToEndAsync();
                try
                {
                    var exited = process.WaitForExitAsync();
                    var done = await Task.WhenAny(connections.WaitAsync(ChecksPerKind), exited).WaitAsync(TimeSpan.FromSeconds(30));
                    Assert.False(done == exited, "haproxy exited");
                }
                finally
                {
                    process.Kill();
                    await process.WaitForExitAsync();
                    output.WriteLine($"haproxy: {await stderr}");
                    output.WriteLine($"closed connections per port: {connections}; listeners: {string.Join(", ", ports.Select(p => $"{p.Key}={p.Value}"))}");
                    foreach (var line in logs.Lines())
                    {
                        output.WriteLine(line);
                    }
                }

                checks = [.. logs.Events.Skip(before)];
            }
            finally
            {
                folder.Delete(recursive: true);
            }

            var byConnection = checks
                .Where(e => e.Properties.ContainsKey("ConnectionId"))
                .GroupBy(e => e.Properties["ConnectionId"].ToString())
                .ToArray();
            Assert.NotEmpty(byConnection);
            Assert.All(checks, e => Assert.True(e.Level < LogEventLevel.Warning, $"{e.Level} {e.RenderMessage()} {e.Exception}"));
            Assert.All(checks, e => Assert.Null(e.Exception));
            Assert.All(byConnection, c => Assert.True(c.Count(e => e.Level >= LogEventLevel.Information) <= 1,
                string.Join("\n", c.Select(e => $"{e.Level} {e.RenderMessage()}"))));
        }
    }

    private static string Config(IReadOnlyDictionary<int, string> ports, string socket)
    {
        var text = new System.Text.StringBuilder(
            """
            global
              maxconn 64
            defaults
              mode tcp
              timeout connect 1s
              timeout client 5s
              timeout server 5s
              timeout check 1s

            """);

        // HAProxy starts only with a listener; a Unix socket needs no port.
        text.Append(CultureInfo.InvariantCulture, $"frontend in\n  bind unix@{socket}\n  default_backend {ports.Values.First()}\n");
        foreach (var (port, listener) in ports)
        {
            var backend = Kinds.Single(k => k.Listener == listener).Backend;
            text.Append(CultureInfo.InvariantCulture, $"backend {listener}\n  {string.Format(CultureInfo.InvariantCulture, backend, port)}\n");
        }

        return text.ToString();
    }

    /// <summary>Connections Kestrel has finished with, per listener port (its <c>kestrel.connection.duration</c>).</summary>
    private sealed class ClosedConnections : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<int, int> _closed = new();
        private readonly int[] _ports;
        private readonly TaskCompletionSource _enough = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _wanted = int.MaxValue;

        public ClosedConnections(Pop3ServerFactory server, IEnumerable<int> ports)
        {
            _ports = [.. ports];
            var meters = server.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "kestrel.connection.duration" && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
            {

                foreach (var tag in tags)
                {
                    if (tag.Key == "server.port" && Convert.ToInt32(tag.Value, CultureInfo.InvariantCulture) is var port)
                    {
                        _closed.AddOrUpdate(port, 1, (_, n) => n + 1);
                    }
                }

                Check();
            });
            _listener.Start();
        }

        public Task WaitAsync(int each)
        {
            _wanted = each;
            Check();
            return _enough.Task;
        }

        private void Check()
        {
            if (_ports.All(p => _closed.TryGetValue(p, out var n) && n >= _wanted))
            {
                _enough.TrySetResult();
            }
        }

        public override string ToString() => string.Join(", ", _closed.Select(c => $"{c.Key}: {c.Value}"));

        public void Dispose() => _listener.Dispose();
    }
}
