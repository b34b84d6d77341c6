using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Upstream;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Warns once at start-up when the settings still use the names from before the upstream store was renamed
/// (<c>Pop3:Store=Proxy</c>, the <c>Pop3:Proxy</c> section): they work for one more release, then stop.
/// </summary>
internal sealed partial class UpstreamDeprecationNotice(IConfiguration configuration, ILogger<UpstreamDeprecationNotice> logger) : IHostedService
{
    /// <summary>The server host's key naming the store; its old value for this one was <c>Proxy</c>.</summary>
    private const string StoreKey = "Pop3:Store";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.Equals(configuration[StoreKey]?.Trim(), "Proxy", StringComparison.OrdinalIgnoreCase))
        {
            LogLegacyStore(logger, StoreKey);
        }

        if (configuration.GetSection(UpstreamOptions.LegacySectionName).Exists())
        {
            LogLegacySection(logger, UpstreamOptions.LegacySectionName, UpstreamOptions.SectionName);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Key}=Proxy is deprecated and will be refused in the next release: set {Key}=Upstream")]
    private static partial void LogLegacyStore(ILogger logger, string key);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The settings section {Legacy} is deprecated and will be refused in the next release: rename its keys to {Section}")]
    private static partial void LogLegacySection(ILogger logger, string legacy, string section);
}
