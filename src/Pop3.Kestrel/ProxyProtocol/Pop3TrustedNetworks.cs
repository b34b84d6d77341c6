using System.Net;

namespace Pop3.Kestrel.ProxyProtocol;

/// <summary><c>Pop3:ProxyProtocol:TrustedNetworks</c>, parsed.</summary>
internal sealed class Pop3TrustedNetworks(IEnumerable<IPNetwork> networks)
{
    private readonly IPNetwork[] _networks = [.. networks];

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A CIDR network, or a bare address as a network of one.</summary>
    public static bool TryParse(string? text, out IPNetwork network)
    {
        network = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (IPNetwork.TryParse(text, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }
}
