using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Connections;

namespace Pop3.Kestrel.Hosting;

/// <summary>Adds a Kestrel listener running <see cref="Pop3ConnectionHandler"/> for every <c>Pop3:Endpoints</c> entry.</summary>
internal sealed class Pop3KestrelOptionsSetup(IOptions<Pop3ServerOptions> options, Pop3Listeners listeners) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var endpoints = options.Value.Endpoints;
        if (endpoints.Count == 0)
        {
            endpoints = new(StringComparer.OrdinalIgnoreCase) { ["Default"] = new Pop3EndpointOptions() };
        }

        foreach (var (name, endpoint) in endpoints)
        {
            Pop3Listeners.TryParseAddress(endpoint.Address, out var address);
            void Configure(ListenOptions listen)
            {
                listen.UseConnectionHandler<Pop3ConnectionHandler>();
                listeners.Add(name, listen);
            }

            if (address is null || address.Equals(IPAddress.IPv6Any))
            {
                kestrel.ListenAnyIP(endpoint.Port, Configure);
            }
            else if (endpoint.Address.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                kestrel.Listen(IPAddress.Loopback, endpoint.Port, Configure);
            }
            else
            {
                kestrel.Listen(address, endpoint.Port, Configure);
            }
        }
    }
}
