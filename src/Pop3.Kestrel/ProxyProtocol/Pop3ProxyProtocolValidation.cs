using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.ProxyProtocol;

/// <summary>The PROXY protocol part of <see cref="Pop3ServerOptionsValidator"/>.</summary>
internal static class Pop3ProxyProtocolValidation
{
    public static void Validate(Pop3ServerOptions options, List<string> errors)
    {
        var proxy = options.ProxyProtocol;
        for (var i = 0; i < proxy.TrustedNetworks.Count; i++)
        {
            if (!Pop3TrustedNetworks.TryParse(proxy.TrustedNetworks[i], out _))
            {
                errors.Add($"Pop3:ProxyProtocol:TrustedNetworks:{i} '{proxy.TrustedNetworks[i]}' is not a network in CIDR form such as 10.0.0.0/8 or an IP address.");
            }
        }

        if (proxy.HeaderTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Pop3:ProxyProtocol:HeaderTimeout is {proxy.HeaderTimeout}; it must be a positive duration such as 00:00:05.");
        }

        foreach (var (name, endpoint) in options.Endpoints)
        {
            if (endpoint.ProxyProtocol && proxy.TrustedNetworks.Count == 0)
            {
                errors.Add($"Pop3:Endpoints:{name}:ProxyProtocol is true but Pop3:ProxyProtocol:TrustedNetworks is empty; list the proxies' networks (CIDR).");
            }
        }
    }

    public static Pop3TrustedNetworks Trusted(Pop3ProxyProtocolOptions options) =>
        new(options.TrustedNetworks.Select(text => Pop3TrustedNetworks.TryParse(text, out var network) ? network : default).Where(n => n.BaseAddress is not null));
}
