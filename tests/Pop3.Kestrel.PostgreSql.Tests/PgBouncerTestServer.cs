using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>
/// A real PgBouncer in transaction mode in front of a test PostgreSQL: its own folder and a free port on 127.0.0.1, trust
/// authentication, <c>default_pool_size</c> server connections per database and user. Run as the <c>postgres</c> user
/// when the tests run as root (PgBouncer refuses root); killed when disposed.
/// </summary>
public sealed class PgBouncerTestServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private PgBouncerTestServer(Process process, string folder, string connectionString)
    {
        _process = process;
        _folder = folder;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string of <paramref name="database"/>'s database through PgBouncer.</summary>
    public string ConnectionString { get; }

    /// <summary>Starts PgBouncer in front of the server and database <paramref name="database"/> names.</summary>
    public static async Task<PgBouncerTestServer> StartAsync(string database, int poolSize)
    {
        var pgbouncer = ExternalProgram.PgBouncer.Locate();
        var asRoot = Environment.UserName == "root";
        var target = new NpgsqlConnectionStringBuilder(database);
        var folder = Path.Combine(Path.GetTempPath(), "pop3-pgbouncer-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var port = LoopbackPorts.Take();
        await File.WriteAllTextAsync(Path.Combine(folder, "userlist.txt"), $"\"{target.Username}\" \"\"\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "pgbouncer.ini"),
            $"""
            [databases]
            * = host={target.Host} port={target.Port}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {Path.Combine(folder, "userlist.txt")}
            pool_mode = transaction
            default_pool_size = {poolSize}
            max_client_conn = 2000
            logfile = {Path.Combine(folder, "pgbouncer.log")}
            """);
        if (asRoot)
        {
            var chown = Process.Start(ExternalProgram.Chown.Locate(), ["-R", "postgres:postgres", folder])!;
            await chown.WaitForExitAsync();
        }

        var start = new ProcessStartInfo(asRoot ? ExternalProgram.Runuser.Locate() : pgbouncer)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", pgbouncer })
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.ArgumentList.Add(Path.Combine(folder, "pgbouncer.ini"));
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var connectionString = new NpgsqlConnectionStringBuilder(database) { Host = "127.0.0.1", Port = port }.ConnectionString;
        var server = new PgBouncerTestServer(process, folder, connectionString);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, limit.Token);
                return server;
            }
            catch (SocketException) when (!process.HasExited)
            {
                await Task.Delay(20, limit.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                var log = File.Exists(Path.Combine(folder, "pgbouncer.log")) ? await File.ReadAllTextAsync(Path.Combine(folder, "pgbouncer.log")) : "";
                await server.DisposeAsync();
                throw new InvalidOperationException($"pgbouncer did not start: {log}", e);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
