using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>
/// A real PostgreSQL for the tests, and a fresh database on it for each fixture.
/// </summary>
/// <remarks>
/// <para>
/// The server is the one named by the environment variable <c>POP3_TEST_POSTGRES</c>: a connection string of a role that
/// may create databases, e.g. <c>Host=127.0.0.1;Port=54329;Username=postgres</c> (what <c>.ci/run</c> exports after
/// starting its cluster). Without it, and with PostgreSQL 15's binaries installed, the fixture starts a private cluster
/// itself (initdb in a temporary folder, a free port, trust authentication; as the <c>postgres</c> user when running as
/// root) and stops it afterwards. Without either, the tests that use the database are skipped, naming initdb and its
/// Debian package (failed instead when <c>POP3_TEST_REQUIRE_TOOLS=1</c>). The programs are found through
/// <see cref="ExternalProgramLookup"/>: PATH, then the folder <c>pg_config --bindir</c> names.
/// </para>
/// </remarks>
public sealed class PostgreSqlTestServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "POP3_TEST_POSTGRES";
    private readonly string? _clusterFolder;
    private readonly string _adminConnectionString;

    private PostgreSqlTestServer(string adminConnectionString, string? clusterFolder)
    {
        _adminConnectionString = adminConnectionString;
        _clusterFolder = clusterFolder;
    }

    public static async Task<PostgreSqlTestServer> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new PostgreSqlTestServer(configured, null);
        }

        return await StartPrivateAsync();
    }

    /// <summary>
    /// Always a private cluster of its own (never the one <c>POP3_TEST_POSTGRES</c> names), for a test that stops or
    /// restarts the server and must not disturb other tests.
    /// </summary>
    public static async Task<PostgreSqlTestServer> StartPrivateAsync()
    {
        var lookup = ExternalProgramLookup.FromEnvironment;
        var initdb = lookup.Find(ExternalProgram.Initdb)
            ?? lookup.Unavailable($"{ExternalProgram.Initdb.Needs} to start a PostgreSQL cluster, or {EnvironmentVariable} set to the connection string " +
                "of a server where the tests may create databases (e.g. Host=127.0.0.1;Port=54329;Username=postgres)");
        var pgCtl = ExternalProgram.PgCtl.Locate();
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // PostgreSQL refuses to run as root: the cluster is made and run as the postgres user.
            ExternalProgram.Runuser.Locate();
            ExternalProgram.Chown.Locate();
        }

        var folder = Path.Combine(Path.GetTempPath(), "pop3-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (asRoot)
        {
            await RunAsync(ExternalProgram.Chown.Locate(), ["postgres:postgres", folder], asRoot: false);
        }

        var data = Path.Combine(folder, "data");
        await RunAsync(initdb, ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"], asRoot);
        var port = LoopbackPorts.Take();
        await RunAsync(pgCtl,
            ["-D", data, "-l", Path.Combine(folder, "log"), "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "start"], asRoot);
        return new PostgreSqlTestServer($"Host=127.0.0.1;Port={port};Username=postgres", folder);
    }

    /// <summary>The connection string of the server's administrative role.</summary>
    public string AdminConnectionString => _adminConnectionString;

    /// <summary>
    /// <c>pg_ctl restart -m fast</c> of a private cluster: every session is ended (57P01), the data stays. Returns
    /// when the server accepts connections again.
    /// </summary>
    public async Task RestartAsync()
    {
        var folder = _clusterFolder ?? throw new InvalidOperationException("Only a private cluster can be restarted.");
        var port = new NpgsqlConnectionStringBuilder(_adminConnectionString).Port;
        await RunAsync(ExternalProgram.PgCtl.Locate(),
            ["-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-m", "fast", "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "-w", "restart"],
            Environment.UserName == "root");
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "pop3_test_" + Guid.NewGuid().ToString("N")[..16];
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, ending the sessions still on it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(_adminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_clusterFolder is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await RunAsync(ExternalProgram.PgCtl.Locate(), ["-D", Path.Combine(_clusterFolder, "data"), "-m", "immediate", "-w", "stop"], Environment.UserName == "root");
        Directory.Delete(_clusterFolder, recursive: true);
    }

    private static async Task RunAsync(string tool, string[] arguments, bool asRoot)
    {
        var start = new ProcessStartInfo(asRoot ? ExternalProgram.Runuser.Locate() : tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add("postgres");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(tool);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}

/// <summary>
/// One server (started once for the whole test assembly run) and one database for the tests that share the fixture.
/// </summary>
/// <remarks>
/// Without a PostgreSQL the fixture itself does not fail (tests of the collection that never touch the database still
/// run): <see cref="ConnectionString"/> and <see cref="Server"/> skip, or fail when programs are required, the tests that do.
/// </remarks>
public sealed class PostgreSqlFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static PostgreSqlTestServer? s_server;
    private static int s_users;
    private string _connectionString = "";
    private Exception? _unavailable;

    public string ConnectionString
    {
        get
        {
            ThrowIfUnavailable();
            return _connectionString;
        }
    }

    public PostgreSqlTestServer Server
    {
        get
        {
            ThrowIfUnavailable();
            return s_server!;
        }
    }

    public async Task InitializeAsync()
    {
        await s_gate.WaitAsync();
        try
        {
            s_server ??= await PostgreSqlTestServer.StartAsync();
            s_users++;
        }
        catch (Exception e) when (e is SkipTestException or Xunit.Sdk.FailException)
        {
            _unavailable = e;
            return;
        }
        finally
        {
            s_gate.Release();
        }

        _connectionString = await s_server.CreateDatabaseAsync();
    }

    /// <summary>Each test that needs the database ends the way the fixture's start did: a skip, or a failure.</summary>
    private void ThrowIfUnavailable()
    {
        switch (_unavailable)
        {
            case SkipTestException skip:
                throw new SkipTestException(skip.Message);
            case not null:
                Assert.Fail(_unavailable.Message);
                break;
        }
    }

    public async Task DisposeAsync()
    {
        if (_unavailable is not null)
        {
            return;
        }

        await s_server!.DropDatabaseAsync(_connectionString);
        await s_gate.WaitAsync();
        try
        {
            if (--s_users == 0)
            {
                await s_server.DisposeAsync();
                s_server = null;
            }
        }
        finally
        {
            s_gate.Release();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlFixture>
{
    public const string Name = "PostgreSQL";
}
