using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Logging;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tls;

/// <summary>STLS for one connection: the handshake over the plain transport, then pipes over the SslStream.</summary>
internal sealed class Pop3StartTls(IDuplexPipe transport, string endpoint, Pop3TlsPolicy policy, Pop3ConnectionInfo connection, TimeProvider time, ILogger logger)
    : IPop3TlsUpgrade, IAsyncDisposable
{
    private SslStream? _ssl;
    private IDuplexPipe? _secure;

    public bool IsAvailable => policy.CanStartTls(endpoint);

    /// <summary>Null until the client tried STLS; then whether the handshake succeeded (for the metrics).</summary>
    public bool? Succeeded { get; private set; }

    public async ValueTask<IDuplexPipe?> UpgradeAsync(CancellationToken cancellationToken)
    {
        // The handshake's crypto runs where its reads complete: on the thread pool, not on a socket event thread.
        var plain = new DuplexPipeStream(transport) { HopAfterRead = true };
        _ssl = new SslStream(plain, leaveInnerStreamOpen: true);
        using var timeout = new CancellationTokenSource(policy.HandshakeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await _ssl.AuthenticateAsServerAsync(
                (_, hello, _, _) => ValueTask.FromResult(policy.ServerOptions(endpoint, hello.ServerName)),
                null,
                linked.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            logger.TlsHandshakeFailed(timeout.IsCancellationRequested ? "timeout" : e.Message);
            Succeeded = false;
            return null;
        }

        plain.HopAfterRead = false;
        connection.ClientCertificate = _ssl.RemoteCertificate is { } remote
            ? new System.Security.Cryptography.X509Certificates.X509Certificate2(remote)
            : null;
        Succeeded = true;
        _secure = new SecurePipe(PipeReader.Create(_ssl, new StreamPipeReaderOptions(leaveOpen: true)), PipeWriter.Create(_ssl, new StreamPipeWriterOptions(leaveOpen: true)));
        return _secure;
    }

    public async ValueTask DisposeAsync()
    {
        if (_secure is not null)
        {
            await _secure.Input.CompleteAsync();
            await _secure.Output.CompleteAsync();
        }

        if (_ssl is not null)
        {
            try
            {
                await _ssl.ShutdownAsync();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or AuthenticationException)
            {
                // The client is already gone.
            }

            await _ssl.DisposeAsync();
        }
    }

    private sealed class SecurePipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
