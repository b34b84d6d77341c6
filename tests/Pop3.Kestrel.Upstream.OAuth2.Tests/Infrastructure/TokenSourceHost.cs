using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

/// <summary>
/// The gateway's OAuth 2.0 services as <see cref="OAuth2Pop3ServerBuilderExtensions.AddUpstreamOAuth2"/> registers them,
/// over settings given per test, a data directory of its own and a clock the test moves.
/// </summary>
internal sealed class TokenSourceHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public TokenSourceHost(IDictionary<string, string?> settings, string? dataPath = null)
    {
        DataPath = dataPath ?? Path.Combine(Path.GetTempPath(), "pop3-oauth2-" + Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pop3:DataPath"] = DataPath,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<TimeProvider>(Time);
        services.AddPop3Settings<Pop3ServerOptions>("Pop3");
        new Pop3ServerBuilder(services).AddUpstreamOAuth2();
        _services = services.BuildServiceProvider();
        Metrics = new MetricRecorder(_services.GetRequiredService<IMeterFactory>());
        Source = _services.GetRequiredService<OAuth2TokenSource>();
    }

    public string DataPath { get; }

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public LogRecorder Logs { get; } = new();

    public MetricRecorder Metrics { get; }

    public OAuth2TokenSource Source { get; }

    public OAuth2TokenStore Store => _services.GetRequiredService<OAuth2TokenStore>();

    public OAuth2Protection Protection => _services.GetRequiredService<OAuth2Protection>();

    public OAuth2Options Options => _services.GetRequiredService<IOptions<OAuth2Options>>().Value;

    /// <summary>Settings for <paramref name="server"/>'s gateway client.</summary>
    public static Dictionary<string, string?> SettingsFor(TestAuthorizationServer server, string grant) => new()
    {
        ["Pop3:Upstream:OAuth2:Authority"] = server.Issuer.ToString(),
        ["Pop3:Upstream:OAuth2:ClientId"] = TestAuthorizationServer.GatewayClientId,
        ["Pop3:Upstream:OAuth2:ClientSecret"] = TestAuthorizationServer.GatewaySecret,
        ["Pop3:Upstream:OAuth2:Scopes"] = grant == "RefreshToken" ? "mail offline_access" : "mail",
        ["Pop3:Upstream:OAuth2:Grant"] = grant,
        ["Pop3:Upstream:OAuth2:PublicUrl"] = "http://127.0.0.1:9/",
    };

    public async ValueTask DisposeAsync()
    {
        Metrics.Dispose();
        await _services.DisposeAsync();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}
