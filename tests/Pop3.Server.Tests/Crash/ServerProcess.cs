using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Pop3.Server.Tests.Crash;

/// <summary>
/// The ready-to-run server (the built Pop3.Server.dll) as a separate process, so a test can SIGKILL it.
/// It listens on a free port on 127.0.0.1 and the test learns the port from its start-up log line.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _drain;

    private ServerProcess(Process process, IPEndPoint endPoint, Task drain, System.Collections.Concurrent.ConcurrentQueue<string> log)
    {
        _process = process;
        EndPoint = endPoint;
        _drain = drain;
        Log = log;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Every line the server wrote to stdout and stderr so far.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Log { get; }

    /// <summary>Starts the server over the Maildirs <c>root/{user}/Maildir</c> with the users file <c>root/users</c>.</summary>
    public static async Task<ServerProcess> StartAsync(string root, params string[] settings)
    {
        var server = Path.Combine(AppContext.BaseDirectory, "Pop3.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            // The content root: the server reads its appsettings.json (logging to the console included) from there.
            WorkingDirectory = AppContext.BaseDirectory,
        };
        string[] arguments =
        [
            server,
            "--Pop3:Endpoints:Default:Address=127.0.0.1",
            "--Pop3:Endpoints:Default:Port=0",
            "--Pop3:Admin:Address=127.0.0.1",
            "--Pop3:Admin:Port=0",
            $"--Pop3:Maildir:Path={Path.Combine(root, "{user}", "Maildir")}",
            $"--Pop3:Authentication:UsersFile={Path.Combine(root, "users")}",
            $"--Pop3:DataPath={Path.Combine(root, "data")}",
            "--Serilog:MinimumLevel:Override:Pop3.Kestrel=Information",
            .. settings,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start)!;
        var listening = new TaskCompletionSource<IPEndPoint>(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();

        // Both pipes are read to the end, so the server never blocks on a full one.
        async Task DrainAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                log.Enqueue(line);
                if (ListeningLine().Match(line) is { Success: true } match)
                {
                    listening.TrySetResult(IPEndPoint.Parse(match.Groups[1].Value));
                }
            }
        }

        // Only once both pipes are at their end: the reason for an exit is often the last line of the other pipe.
        var drain = Task.WhenAll(DrainAsync(process.StandardOutput), DrainAsync(process.StandardError));
        _ = drain.ContinueWith(
            _ => listening.TrySetException(new InvalidOperationException("The server exited before listening:\n" + string.Join('\n', log))),
            TaskScheduler.Default);
        try
        {
            var endPoint = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return new ServerProcess(process, endPoint, drain, log);
        }
        catch
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL (what <see cref="Process.Kill()"/> sends on Unix): no finally block, no flush, no goodbye.</summary>
    public void Kill() => _process.Kill();

    public async Task WaitForExitAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await _drain.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"POP3 listening on (\S+) \(Pop3:Endpoints:Default")]
    private static partial Regex ListeningLine();
}
