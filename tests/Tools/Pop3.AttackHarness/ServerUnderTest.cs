using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pop3.AttackHarness;

/// <summary>
/// The built Pop3.Server as a separate process on 127.0.0.1, with server defaults, a users file and one Maildir per
/// user holding one message, all in a temporary folder removed at the end.
/// </summary>
internal sealed class ServerUnderTest : IAsyncDisposable
{
    /// <summary>The message every mailbox holds (RETR 1).</summary>
    public static readonly byte[] Message = BuildMessage();

    private readonly Process _process;
    private readonly string _root;
    private readonly ConcurrentQueue<string> _log = new();
    private readonly Task _drain;
    private readonly HttpClient _http = new();

    private ServerUnderTest(Process process, string root, IPEndPoint endPoint, IPEndPoint admin)
    {
        _process = process;
        ServerProcesses.Add(process);
        _root = root;
        EndPoint = endPoint;
        Admin = admin;
        _drain = Task.WhenAll(DrainAsync(process.StandardOutput), DrainAsync(process.StandardError));
    }

    public IPEndPoint EndPoint { get; }

    public IPEndPoint Admin { get; }

    public int Pid => _process.Id;

    /// <summary>Lines the server wrote so far.</summary>
    public IReadOnlyCollection<string> Log => _log;

    /// <summary>Starts the server with users <c>name:{PLAIN}password</c> and waits until it accepts connections.</summary>
    public static async Task<ServerUnderTest> StartAsync(HarnessOptions options, IReadOnlyDictionary<string, string> users, CancellationToken cancellationToken)
    {
        if (!File.Exists(options.ServerDll))
        {
            throw new FileNotFoundException($"No built server at {options.ServerDll}; build the harness (it builds the server) or pass --server-dll.");
        }

        var root = Path.Combine(Path.GetTempPath(), "pop3-attack-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        await File.WriteAllLinesAsync(Path.Combine(root, "users"), users.Select(u => $"{u.Key}:{{PLAIN}}{u.Value}"), cancellationToken);
        foreach (var user in users.Keys)
        {
            var maildir = Path.Combine(root, user, "Maildir");
            foreach (var sub in new[] { "cur", "new", "tmp" })
            {
                Directory.CreateDirectory(Path.Combine(maildir, sub));
            }

            await File.WriteAllBytesAsync(Path.Combine(maildir, "cur", $"1700000000.M1P1Q1.harness,S={Message.Length}:2,"), Message, cancellationToken);
        }

        var (port, adminPort) = TwoFreePorts();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(options.ServerDll)!,
        };
        string[] arguments =
        [
            options.ServerDll,
            "--Pop3:Endpoints:Default:Address=127.0.0.1",
            $"--Pop3:Endpoints:Default:Port={port}",
            "--Pop3:Admin:Address=127.0.0.1",
            $"--Pop3:Admin:Port={adminPort}",
            $"--Pop3:Maildir:Path={Path.Combine(root, "{user}", "Maildir")}",
            $"--Pop3:Authentication:UsersFile={Path.Combine(root, "users")}",
            $"--Pop3:DataPath={Path.Combine(root, "data")}",
            "--Serilog:MinimumLevel:Override:Pop3.Kestrel=Information",
            .. options.ServerSettings,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var server = new ServerUnderTest(Process.Start(start)!, root, new IPEndPoint(IPAddress.Loopback, port), new IPEndPoint(IPAddress.Loopback, adminPort));
        var giveUp = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (server._process.HasExited || giveUp.Elapsed > TimeSpan.FromSeconds(60))
            {
                var log = string.Join('\n', server._log.TakeLast(30));
                await server.DisposeAsync();
                throw new InvalidOperationException("The server did not start:\n" + log);
            }

            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await probe.ConnectAsync(server.EndPoint, cancellationToken);
                var greeting = new byte[256];
                if (await probe.ReceiveAsync(greeting, cancellationToken) > 0)
                {
                    return server;
                }
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>Resident memory of the server process, from /proc (Linux).</summary>
    public long RssKiB()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// <summary>The server's Prometheus metrics: each series (name with labels) and its value.</summary>
    public async Task<Dictionary<string, double>> MetricsAsync(CancellationToken cancellationToken)
    {
        var text = await _http.GetStringAsync($"http://{Admin}/metrics", cancellationToken);
        var series = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                series[line[..space]] = value;
            }
        }

        return series;
    }

    /// <summary>How many server log lines so far contain <paramref name="text"/>.</summary>
    public int CountLog(string text) => _log.Count(l => l.Contains(text, StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await _drain.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            // Reported by the missing lines only; the folder is removed all the same.
        }

        ServerProcesses.Remove(_process);
        _process.Dispose();
        _http.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _log.Enqueue(line);
        }
    }

    /// <summary>Two distinct ports the system just gave out and took back: both are held until both are given, or the same one can come twice.</summary>
    private static (int First, int Second) TwoFreePorts()
    {
        using var first = new TcpListener(IPAddress.Loopback, 0);
        using var second = new TcpListener(IPAddress.Loopback, 0);
        first.Start();
        second.Start();
        return (((IPEndPoint)first.LocalEndpoint).Port, ((IPEndPoint)second.LocalEndpoint).Port);
    }

    private static byte[] BuildMessage()
    {
        var body = string.Concat(Enumerable.Range(0, 40).Select(i => $"Line {i} of the message the harness retrieves.\r\n"));
        return System.Text.Encoding.ASCII.GetBytes("From: harness@example.org\r\nTo: user@example.org\r\nSubject: attack harness\r\n\r\n" + body);
    }
}
