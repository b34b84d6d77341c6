using System.Net;
using System.Net.Sockets;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The key under which guesses from a client address are counted: an IPv4 address as it is (an IPv4-mapped IPv6
/// address as the IPv4 address it is), an IPv6 address by its /64, since one subscriber is routinely given a whole /64
/// and could otherwise step through 2^64 addresses.
/// </summary>
internal static class Pop3AddressKey
{
    /// <summary>The key of a connection without an IP address (a Unix socket).</summary>
    public const string Local = "local";

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return Local;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>The key of the connection's client address.</summary>
    public static string Of(Pop3ConnectionInfo connection) => Of((connection.RemoteEndPoint as IPEndPoint)?.Address);

    /// <summary>The client address as it is, for log lines that a log watcher (fail2ban) matches.</summary>
    public static string Display(Pop3ConnectionInfo connection) => (connection.RemoteEndPoint as IPEndPoint)?.Address is { } address
        ? (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString()
        : Local;

    /// <summary>User names are compared without case: a guesser gains nothing by varying the case of a name.</summary>
    public static string User(string user) => user.ToLowerInvariant();
}
