using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Admin;

/// <summary>
/// <c>/readyz</c>: not ready once the host starts draining (stop requested), when an implicit-TLS
/// listener has no certificate, or when the backend says it cannot be reached.
/// </summary>
internal sealed class Pop3ReadinessCheck(
    IHostApplicationLifetime lifetime,
    IOptions<Pop3ServerOptions> options,
    Pop3CertificateStore certificates,
    IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("draining: the server is shutting down");
        }

        foreach (var (name, endpoint) in options.Value.Endpoints)
        {
            if (endpoint.Tls == Pop3TlsMode.Implicit && !certificates.HasCertificate(name))
            {
                return HealthCheckResult.Unhealthy($"no certificate loaded for Pop3:Endpoints:{name}");
            }
        }

        await using var scope = scopes.CreateAsyncScope();
        foreach (var probe in scope.ServiceProvider.GetServices<IPop3BackendProbe>())
        {
            if (await probe.ProbeAsync(cancellationToken) is { } problem)
            {
                return HealthCheckResult.Unhealthy("backend unreachable: " + problem);
            }
        }

        return HealthCheckResult.Healthy("ready");
    }
}
