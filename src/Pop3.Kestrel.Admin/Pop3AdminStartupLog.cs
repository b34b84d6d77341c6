using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Admin;

/// <summary>Says where the admin listener is once it is bound, and whether its session endpoints need a token.</summary>
internal sealed partial class Pop3AdminStartupLog(
    Pop3AdminListener listener,
    IOptions<Pop3AdminOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<Pop3AdminStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            if (listener.EndPoint is { } endPoint)
            {
                Listening(logger, endPoint.ToString(), string.IsNullOrEmpty(options.Value.Token) ? "loopback clients only" : "bearer token");
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(300, LogLevel.Information, "Admin HTTP listening on {EndPoint} (Pop3:Admin): /metrics /healthz /readyz; /sessions for {Access}")]
    private static partial void Listening(ILogger logger, string endPoint, string access);
}
