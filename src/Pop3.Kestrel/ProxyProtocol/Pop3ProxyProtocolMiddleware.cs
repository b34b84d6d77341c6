using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.ProxyProtocol;

/// <summary>
/// A Kestrel connection middleware, first on a listener with <c>ProxyProtocol: true</c> (before TLS): accepts
/// connections only from trusted proxies, reads their PROXY v1/v2 header and makes the client address in it
/// the connection's <see cref="BaseConnectionContext.RemoteEndPoint"/>, which logs, limits and the
/// authenticator see. Anything else (an untrusted peer, a broken header, none in time) closes the connection.
/// A trusted proxy that closes (or resets) before sending a byte is running a health check: that is logged at Debug
/// only, since HAProxy does it every few seconds on every node.
/// </summary>
internal sealed partial class Pop3ProxyProtocolMiddleware(ConnectionDelegate next, Pop3TrustedNetworks trusted, TimeSpan headerTimeout, TimeProvider time, ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var peer = connection.RemoteEndPoint as IPEndPoint;
        if (peer is null || !trusted.Contains(peer.Address))
        {
            UntrustedPeer(logger, connection.RemoteEndPoint?.ToString());
            return;
        }

        var input = connection.Transport.Input;
        IPEndPoint? source;
        IPEndPoint? destination;
        using (var timeout = new CancellationTokenSource(headerTimeout, time))
        {
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await input.ReadAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    BadHeader(logger, peer.ToString(), "no header in time");
                    return;
                }
                catch (Exception e) when (e is ConnectionResetException or IOException)
                {
                    // HAProxy ends its checks with a reset, which may overtake the header it sent.
                    HealthCheck(logger, peer.ToString());
                    return;
                }

                var buffer = read.Buffer;
                if (buffer.IsEmpty && read.IsCompleted)
                {
                    input.AdvanceTo(buffer.End);
                    HealthCheck(logger, peer.ToString());
                    return;
                }

                var status = Pop3ProxyProtocolHeader.TryParse(buffer, out var consumed, out source, out destination);
                if (status == Pop3ProxyHeaderStatus.Parsed)
                {
                    input.AdvanceTo(buffer.GetPosition(consumed));
                    break;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (status == Pop3ProxyHeaderStatus.Invalid || read.IsCompleted || read.IsCanceled)
                {
                    BadHeader(logger, peer.ToString(), status == Pop3ProxyHeaderStatus.Invalid ? "malformed header" : "closed before the header ended");
                    return;
                }
            }
        }

        if (source is not null)
        {
            connection.RemoteEndPoint = source;
            connection.LocalEndPoint = destination;
            if (connection.Features.Get<IHttpConnectionFeature>() is { } http)
            {
                http.RemoteIpAddress = source.Address;
                http.RemotePort = source.Port;
                http.LocalIpAddress = destination!.Address;
                http.LocalPort = destination.Port;
            }

            ClientAddress(logger, peer.ToString(), source.ToString());
        }

        await next(connection);
    }

    [LoggerMessage(200, LogLevel.Warning, "PROXY protocol: connection from {Peer}, which is not in Pop3:ProxyProtocol:TrustedNetworks; closed")]
    private static partial void UntrustedPeer(ILogger logger, string? peer);

    [LoggerMessage(201, LogLevel.Warning, "PROXY protocol: {Reason} from {Peer}; closed")]
    private static partial void BadHeader(ILogger logger, string peer, string reason);

    [LoggerMessage(202, LogLevel.Debug, "PROXY protocol: proxy {Peer} forwards client {Client}")]
    private static partial void ClientAddress(ILogger logger, string peer, string client);

    [LoggerMessage(203, LogLevel.Debug, "PROXY protocol: proxy {Peer} closed before sending a header (a health check)")]
    private static partial void HealthCheck(ILogger logger, string peer);
}
