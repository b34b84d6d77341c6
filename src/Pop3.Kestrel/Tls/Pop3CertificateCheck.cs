using Microsoft.Extensions.Hosting;

namespace Pop3.Kestrel.Tls;

/// <summary>Loads every configured certificate at start-up, so a missing or broken one stops the server with the key at fault.</summary>
internal sealed class Pop3CertificateCheck(Pop3CertificateStore certificates) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        certificates.LoadAll();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
