using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Lmtp;

/// <summary>Adds a Kestrel listener for every <c>Pop3:Lmtp:Endpoints</c> entry, each served by <see cref="LmtpConnectionHandler"/>.</summary>
internal sealed class LmtpKestrelOptionsSetup(IOptions<Pop3LmtpOptions> options, Pop3LmtpListeners listeners) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        foreach (var (name, endpoint) in options.Value.Endpoints)
        {
            void Configure(ListenOptions listen)
            {
                // LMTP is not HTTP: no ALPN, no HTTP protocols.
                listen.Protocols = HttpProtocols.None;
                listen.UseConnectionHandler<LmtpConnectionHandler>();
                listeners.Add(name, listen);
            }

            if (!string.IsNullOrWhiteSpace(endpoint.UnixSocket))
            {
                var path = Path.GetFullPath(endpoint.UnixSocket);

                // A socket left by a process that died would make binding fail. A socket has no length; a file with
                // content there is someone else's and stays, and binding then fails naming the listener.
                if (File.Exists(path) && new FileInfo(path).Length == 0)
                {
                    File.Delete(path);
                }

                kestrel.ListenUnixSocket(path, Configure);
                continue;
            }

            Pop3EndpointOptions.TryParseAddress(endpoint.Address, out var address);
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
