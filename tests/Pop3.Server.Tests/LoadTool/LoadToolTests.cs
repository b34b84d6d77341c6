using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;
using Pop3.LoadTool;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.LoadTool;

/// <summary>
/// Each load-tool scenario for about a second against the real server: the tool's checks pass and it
/// counts work. Not a timed test: no figure is asserted beyond "more than zero".
/// </summary>
/// <remarks>The scenarios keep both cores busy, so they run alone, not beside timing-sensitive tests.</remarks>
[Collection(LoadToolCollection.Name)]
public sealed class LoadToolTests : IAsyncLifetime
{
    private const int Users = 4;
    private readonly InMemoryMailStore _store = new();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        for (var user = 1; user <= Users; user++)
        {
            for (var i = 0; i < 5; i++)
            {
                // LF endings, lines starting with a dot and a missing final newline: the tool must un-stuff and count right.
                _store.Add($"load{user}", Encoding.ASCII.GetBytes($"Subject: {i}\n\n.dot line\n..two dots\n.\nplain\r\nlast {new string('x', i * 100)}"));
            }
        }

        _server.WithInMemoryMail(_store).WithServices(s => s.AddSingleton<IPop3Authenticator, LoadUsers>());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // Tests that count exactly MaxRequests operations must not be cut short by the clock on a busy machine: the budget
    // ends them (Retr_ends_its_workers_when_the_request_budget_is_used_up), this is only the bound if it did not.
    private static readonly TimeSpan UntilTheBudgetIsUsed = TimeSpan.FromSeconds(60);

    private LoadOptions Options(string scenario, int concurrency = 1) => new()
    {
        Scenario = scenario,
        Host = "127.0.0.1",
        Port = _server.Pop3EndPoint.Port,
        User = "load{n}",
        Users = Users,
        Password = "secret",
        Concurrency = concurrency,
        Duration = TimeSpan.FromSeconds(1),
        ServerPid = Environment.ProcessId,
        Label = "test",
    };

    [Theory]
    [InlineData("login", 4)]
    [InlineData("retr", 2)]
    [InlineData("pipeline", 2)]
    [InlineData("bigbox", 1)]
    public async Task Scenario_passes_its_checks_and_counts_work(string scenario, int concurrency)
    {
        var result = await LoadRunner.RunAsync(Options(scenario, concurrency));

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(0, result.Errors);
        Assert.True(result.Operations > 0, result.ToString());
        Assert.True(result.ServerCpuSeconds > 0, result.ToString());
        Assert.Contains("\"ok\":true", result.ToJson());
    }

    [Theory]
    [InlineData("stls", "login", false)]
    [InlineData("stls", "login", true)]
    [InlineData("implicit", "login", false)]
    [InlineData("stls", "retr", false)]
    [InlineData("implicit", "retr", false)]
    public async Task Scenario_passes_its_checks_over_tls(string tls, string scenario, bool resume)
    {
        using var certificates = new TestCertificates();
        certificates.Write();
        _server.WithTls(certificates);
        var port = tls == "implicit" ? _server.EndPointOf("Secure").Port : _server.Pop3EndPoint.Port;

        var result = await LoadRunner.RunAsync(Options(scenario, 2) with { Port = port, Tls = tls, TlsResume = resume, MaxRequests = 20, Duration = UntilTheBudgetIsUsed });

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(20, result.Operations);
    }

    [Fact]
    public async Task Retr_ends_its_workers_when_the_request_budget_is_used_up()
    {
        var result = await LoadRunner.RunAsync(Options("retr", 2) with { MaxRequests = 6, Duration = TimeSpan.FromSeconds(30) });

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(6, result.Operations);
        Assert.True(result.Seconds < 20, result.ToString());
    }

    [Fact]
    public async Task Retr_counts_unstuffed_octets_of_every_message()
    {
        var result = await LoadRunner.RunAsync(Options("retr") with { MaxRequests = 10, Duration = UntilTheBudgetIsUsed });

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(10, result.Operations);
        Assert.Equal(5, result.MailboxMessages);
        Assert.True(result.Bytes > 0);
    }

    [Fact]
    public async Task Pipeline_stops_at_max_requests()
    {
        var result = await LoadRunner.RunAsync(Options("pipeline") with { Depth = 8, MaxRequests = 64, Duration = UntilTheBudgetIsUsed });

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(64, result.Operations);
    }

    [Fact]
    public async Task Idle_holds_every_session_alive_and_measures_memory()
    {
        var result = await LoadRunner.RunAsync(Options("idle", Users) with { Duration = TimeSpan.FromMilliseconds(500) });

        Assert.True(result.Ok, result.ToString());
        Assert.Equal(Users, result.Alive);
        Assert.NotNull(result.PssPerSessionKiB);
        Assert.True(result.ServerPssKiB > 0);
    }

    [Theory]
    [InlineData("10.1.2.3")]
    [InlineData("192.0.2.7")]
    [InlineData("0.0.0.0")]
    [InlineData("::2")]
    [InlineData("::ffff:10.0.0.1")]
    public async Task Refuses_a_target_that_is_not_loopback(string host)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => LoadRunner.RunAsync(Options("login") with { Host = host }));
        Assert.Contains("loopback", error.Message);
    }

    [Fact]
    public async Task A_server_that_skips_dot_stuffing_fails_the_run()
    {
        // Announces 12 octets for ".dot\r\nx\r\n" stuffed as "..dot": a lazy server sends ".dot" unstuffed, which un-stuffs to 11.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            async Task Send(string text) => await stream.WriteAsync(Encoding.ASCII.GetBytes(text));
            await Send("+OK lazy\r\n");
            while (await reader.ReadLineAsync() is { } line)
            {
                await Send(line switch
                {
                    "STAT" => "+OK 1 12\r\n",
                    "LIST" => "+OK\r\n1 12\r\n.\r\n",
                    "RETR 1" => "+OK\r\n.dot\r\nxx\r\n.\r\n",
                    "QUIT" => "+OK\r\n",
                    _ => "+OK\r\n",
                });
                if (line == "QUIT" || line == "RETR 1")
                {
                    break;
                }
            }
        });

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var result = await LoadRunner.RunAsync(Options("retr") with { Port = port, ServerPid = 0, MaxRequests = 1 });
        await serving;

        Assert.False(result.Ok, result.ToString());
        Assert.Contains(result.FirstErrors, e => e.Contains("un-stuffing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Benchmarks_smoke_run_exercises_every_benchmark()
    {
        var log = new StringWriter();
        await Pop3.Benchmarks.Smoke.RunAsync(log);

        Assert.Contains("smoke ok: SessionBenchmarks.Pipelined_commands", log.ToString());
        Assert.Contains("smoke ok: EncoderBenchmarks.Encode", log.ToString());
    }

    /// <summary>load1..load4 with password "secret", each with its own mailbox.</summary>
    private sealed class LoadUsers : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(user.StartsWith("load", StringComparison.Ordinal) && password == "secret"
                ? Pop3AuthenticationResult.Success(user)
                : Pop3AuthenticationResult.Failure);
    }
}

/// <summary>Runs the load-tool tests after the parallel ones, by themselves.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoadToolCollection
{
    public const string Name = "Load tool";
}
