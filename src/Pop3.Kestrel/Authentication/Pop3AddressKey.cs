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

    /// <summary>
    /// A user name for the guess log lines: white space and control characters become <c>_</c>, so a name sent
    /// through SASL cannot break the one-token <c>user=</c> field that log watchers match.
    /// </summary>
    public static string LogName(string? user)
    {
        if (user is null)
        {
            return "-";
        }

        return user.AsSpan().ContainsAny(Unsafe) || user.Length == 0
            ? string.Create(Math.Max(1, user.Length), user, static (span, name) =>
            {
                span.Fill('_');
                for (var i = 0; i < name.Length; i++)
                {
                    span[i] = char.IsWhiteSpace(name[i]) || char.IsControl(name[i]) ? '_' : name[i];
                }
            })
            : user;
    }

    private static readonly System.Buffers.SearchValues<char> Unsafe = System.Buffers.SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\v\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f \u007f\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000");

    /// <summary>User names are compared without case: a guesser gains nothing by varying the case of a name.</summary>
    public static string User(string user) => user.ToLowerInvariant();
}
