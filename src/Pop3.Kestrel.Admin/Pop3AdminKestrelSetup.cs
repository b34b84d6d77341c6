using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Admin;

/// <summary>Adds the admin listener to Kestrel when <c>Pop3:Admin:Port</c> is set.</summary>
internal sealed class Pop3AdminKestrelSetup(IOptions<Pop3AdminOptions> options, Pop3AdminListener listener) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var admin = options.Value;
        if (admin.Port is not { } port)
        {
            return;
        }

        void Configure(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http1;
            listener.Set(listen);
        }

        if (!Pop3EndpointOptions.TryParseAddress(admin.Address, out var address) || address.Equals(IPAddress.IPv6Any))
        {
            kestrel.ListenAnyIP(port, Configure);
        }
        else
        {
            kestrel.Listen(address, port, Configure);
        }
    }
}
