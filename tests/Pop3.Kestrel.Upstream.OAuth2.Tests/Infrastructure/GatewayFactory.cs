using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Serilog.Core;
using Serilog.Events;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

/// <summary>
/// The shipped server (its Program) as the gateway, on real sockets (127.0.0.1, port 0 unless a test needs the admin
/// port known beforehand), with local users alice/secret and bob/"hunter 2", a clock the test moves and every log event kept.
/// </summary>
internal sealed class GatewayFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public GatewayFactory(IDictionary<string, string?> settings)
    {
        DataPath = Path.Combine(Path.GetTempPath(), "pop3-gateway-" + Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>(settings)
        {
            ["Pop3:Endpoints:Default:Address"] = "127.0.0.1",
            ["Pop3:Endpoints:Default:Port"] = "0",
            ["Pop3:Admin:Address"] = "127.0.0.1",
            ["Pop3:DataPath"] = DataPath,
            ["Pop3:Authentication:FailureDelay"] = "00:00:00",
            ["Pop3:Store"] = "Upstream",
        };
        _settings.TryAdd("Pop3:Admin:Port", "0");
        UseKestrel();
    }

    public string DataPath { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public LogSink Logs { get; } = new();

    public IPEndPoint Pop3EndPoint
    {
        get
        {
            StartServer();
            return Services.GetPop3EndPoint("Default");
        }
    }

    public Uri AdminUri
    {
        get
        {
            StartServer();
            return new Uri($"http://{Services.GetPop3AdminEndPoint()}/");
        }
    }

    public OAuth2TokenSource TokenSource
    {
        get
        {
            StartServer();
            return Services.GetRequiredService<OAuth2TokenSource>();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            new Pop3ServerBuilder(services).AddAuthenticator<LocalUsers>();
            services.AddSingleton<TimeProvider>(Time);
            services.AddSingleton<ILogEventSink>(Logs);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }

    /// <summary>The gateway's local users: alice/secret and bob/"hunter 2".</summary>
    private sealed class LocalUsers : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult((user, password) switch
            {
                ("alice", "secret") => Pop3AuthenticationResult.Success("alice"),
                ("bob", "hunter 2") => Pop3AuthenticationResult.Success("bob"),
                _ => Pop3AuthenticationResult.Failure,
            });
    }
}

/// <summary>A Serilog sink that keeps every event; the server's <c>ReadFrom.Services</c> picks it up.</summary>
internal sealed class LogSink : ILogEventSink
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public void Emit(LogEvent logEvent) => Events.Enqueue(logEvent);

    public IReadOnlyList<string> Lines() => [.. Events.Select(e => $"{e.Level} {e.RenderMessage()}")];
}
