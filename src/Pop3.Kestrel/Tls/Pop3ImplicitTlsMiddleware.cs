using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Diagnostics;

namespace Pop3.Kestrel.Tls;

/// <summary>
/// Implicit TLS (port 995) for one listener: the handshake, then the connection's transport swapped for
/// <see cref="Pop3TlsTransport"/> and restored when the connection ends. In place of Kestrel's HTTPS middleware,
/// whose stream writes a RETR as 4 KiB records with a send each.
/// </summary>
internal sealed class Pop3ImplicitTlsMiddleware(ConnectionDelegate next, string endpoint, Pop3TlsPolicy policy, TimeProvider time, ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var (secure, failure) = await Pop3TlsTransport.AuthenticateAsync(
            connection.Transport,
            (_, hello, _, _) => ValueTask.FromResult(policy.ServerOptions(endpoint, hello.ServerName)),
            policy.HandshakeTimeout,
            time,
            connection.ConnectionClosed);
        if (secure is null)
        {
            logger.TlsHandshakeFailed(failure!);
            return;
        }

        var plain = connection.Transport;
        await using (secure)
        {
            var feature = new Pop3TlsFeature(secure);
            connection.Features.Set<ITlsConnectionFeature>(feature);
            connection.Features.Set<ITlsHandshakeFeature>(feature);
            connection.Transport = secure;
            try
            {
                await next(connection);
            }
            finally
            {
                connection.Transport = plain;
            }
        }
    }
}
