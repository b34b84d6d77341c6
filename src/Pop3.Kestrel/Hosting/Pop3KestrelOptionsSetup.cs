using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Adds a Kestrel listener for every <c>Pop3:Endpoints</c> entry: the listener's name on the connection,
/// TLS first on implicit-TLS listeners, then <see cref="Pop3ConnectionHandler"/>.
/// </summary>
internal sealed class Pop3KestrelOptionsSetup(
    IOptions<Pop3ServerOptions> options,
    Pop3Listeners listeners,
    Pop3TlsPolicy tls,
    TimeProvider time,
    ILoggerFactory loggers,
    Diagnostics.Pop3Metrics? metrics = null) : IConfigureOptions<KestrelServerOptions>
{
    private const string TlsEstablished = "Pop3.TlsEstablished";

    public void Configure(KestrelServerOptions kestrel)
    {
        var endpoints = options.Value.Endpoints;
        if (endpoints.Count == 0)
        {
            endpoints = new(StringComparer.OrdinalIgnoreCase) { ["Default"] = new Pop3EndpointOptions() };
        }

        foreach (var (name, endpoint) in endpoints)
        {
            Pop3EndpointOptions.TryParseAddress(endpoint.Address, out var address);
            void Configure(ListenOptions listen)
            {
                var feature = new Pop3EndpointFeature(name);
                if (endpoint.ProxyProtocol)
                {
                    // First of all, before TLS: the header comes from the proxy in the clear.
                    var trusted = ProxyProtocol.Pop3ProxyProtocolValidation.Trusted(options.Value.ProxyProtocol);
                    var logger = loggers.CreateLogger("Pop3.Kestrel.ProxyProtocol");
                    listen.Use(next => new ProxyProtocol.Pop3ProxyProtocolMiddleware(next, trusted, options.Value.ProxyProtocol.HeaderTimeout, time, logger).OnConnectionAsync);
                }

                listen.Use(next => connection =>
                {
                    connection.Features.Set(feature);
                    return next(connection);
                });

                if (endpoint.Tls == Pop3TlsMode.Implicit)
                {
                    // Kestrel derives ALPN from the listener's HTTP protocols; POP3 is not HTTP, so none is offered.
                    listen.Protocols = HttpProtocols.None;
                    if (metrics is not null)
                    {
                        // Around the TLS middleware: a connection that got past it (marked below) completed its handshake.
                        listen.Use(next => async connection =>
                        {
                            try
                            {
                                await next(connection);
                            }
                            finally
                            {
                                metrics.TlsHandshake("implicit", connection.Items.ContainsKey(TlsEstablished));
                            }
                        });
                    }

                    var tlsLogger = loggers.CreateLogger<Pop3ImplicitTlsMiddleware>();
                    listen.Use(next => new Pop3ImplicitTlsMiddleware(next, name, tls, time, tlsLogger).OnConnectionAsync);
                }

                if (endpoint.Tls == Pop3TlsMode.Implicit && metrics is not null)
                {
                    listen.Use(next => connection =>
                    {
                        connection.Items[TlsEstablished] = true;
                        return next(connection);
                    });
                }

                listen.UseConnectionHandler<Pop3ConnectionHandler>();
                listeners.Add(name, listen);
            }

            if (address is null || address.Equals(IPAddress.IPv6Any))
            {
                kestrel.ListenAnyIP(endpoint.Port, Configure);
            }
            else
            {
                kestrel.Listen(address, endpoint.Port, Configure);
            }
        }
    }
}

/// <summary>Which <c>Pop3:Endpoints</c> listener a connection came in on.</summary>
internal sealed record Pop3EndpointFeature(string Name);
