using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tls;

/// <summary>STLS for one connection: the handshake over the plain transport, then pipes over the SslStream.</summary>
internal sealed class Pop3StartTls(
    IDuplexPipe transport, string endpoint, Pop3TlsPolicy policy, Pop3ConnectionInfo connection, TimeProvider time, ILogger logger, Diagnostics.Pop3Metrics? metrics = null)
    : IPop3TlsUpgrade, IAsyncDisposable
{
    private Pop3TlsTransport? _secure;

    public bool IsAvailable => policy.CanStartTls(endpoint);

    public async ValueTask<IDuplexPipe?> UpgradeAsync(CancellationToken cancellationToken)
    {
        var (secure, failure) = await Pop3TlsTransport.AuthenticateAsync(
            transport,
            (_, hello, _, _) => ValueTask.FromResult(policy.ServerOptions(endpoint, hello.ServerName)),
            policy.HandshakeTimeout,
            time,
            cancellationToken);
        if (secure is null)
        {
            logger.TlsHandshakeFailed(failure!);
            metrics?.TlsHandshake("stls", succeeded: false);
            return null;
        }

        _secure = secure;
        connection.Secured(
            secure.Ssl.SslProtocol,
            secure.Ssl.RemoteCertificate is { } remote ? new System.Security.Cryptography.X509Certificates.X509Certificate2(remote) : null);
        metrics?.TlsHandshake("stls", succeeded: true);
        return secure;
    }

    public async ValueTask DisposeAsync()
    {
        if (_secure is not null)
        {
            await _secure.DisposeAsync();
        }
    }
}
