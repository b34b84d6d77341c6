using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Loads every configured certificate at start-up, so a missing or broken one stops the server with the
/// key at fault, and once the listeners are bound says where POP3 is served.
/// </summary>
internal sealed class Pop3StartupCheck(
    Pop3CertificateStore certificates,
    Pop3Listeners listeners,
    IOptions<Pop3ServerOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<Pop3StartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        certificates.LoadAll();
        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var name in listeners.Names)
            {
                var tls = options.Value.Endpoints.TryGetValue(name, out var endpoint) && endpoint.Tls == Pop3TlsMode.Implicit
                    ? "implicit TLS"
                    : certificates.HasCertificate(name) && (endpoint?.AllowStls ?? true) ? "plain, STLS offered" : "plain";
                logger.Listening(listeners.EndPointOf(name).ToString(), name, tls);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
