using System.Buffers;
using System.Buffers.Binary;
using System.Net;

namespace Pop3.Kestrel.ProxyProtocol;

/// <summary>What <see cref="Pop3ProxyProtocolHeader.TryParse"/> found at the start of a connection.</summary>
internal enum Pop3ProxyHeaderStatus
{
    /// <summary>Not enough bytes yet to tell.</summary>
    Incomplete,

    /// <summary>A valid header; the addresses are set unless the proxy sent LOCAL/UNKNOWN (its own health check).</summary>
    Parsed,

    /// <summary>Not a PROXY protocol header, or a broken one: the connection is closed.</summary>
    Invalid,
}

/// <summary>
/// The HAProxy PROXY protocol header (haproxy.org proxy-protocol.txt): version 1 (one text line of at most
/// 107 octets) and version 2 (a 16-octet binary prefix, then the addresses and TLVs). A pure function over the
/// bytes received so far, like the POP3 line framer.
/// </summary>
internal static class Pop3ProxyProtocolHeader
{
    /// <summary>The longest v1 header, CRLF included.</summary>
    public const int MaxV1Length = 107;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    public static Pop3ProxyHeaderStatus TryParse(in ReadOnlySequence<byte> buffer, out long consumed, out IPEndPoint? source, out IPEndPoint? destination)
    {
        consumed = 0;
        source = destination = null;
        if (buffer.IsEmpty)
        {
            return Pop3ProxyHeaderStatus.Incomplete;
        }

        var first = buffer.FirstSpan[0];
        return first switch
        {
            (byte)'P' => ParseV1(buffer, out consumed, out source, out destination),
            0x0D => ParseV2(buffer, out consumed, out source, out destination),
            _ => Pop3ProxyHeaderStatus.Invalid,
        };
    }

    private static Pop3ProxyHeaderStatus ParseV1(in ReadOnlySequence<byte> buffer, out long consumed, out IPEndPoint? source, out IPEndPoint? destination)
    {
        consumed = 0;
        source = destination = null;
        Span<byte> head = stackalloc byte[MaxV1Length];
        var available = (int)Math.Min(buffer.Length, MaxV1Length);
        buffer.Slice(0, available).CopyTo(head);
        head = head[..available];

        var prefix = "PROXY "u8;
        var compared = Math.Min(prefix.Length, head.Length);
        if (!head[..compared].SequenceEqual(prefix[..compared]))
        {
            return Pop3ProxyHeaderStatus.Invalid;
        }

        var end = head.IndexOf("\r\n"u8);
        if (end < 0)
        {
            return available == MaxV1Length || head.Contains((byte)'\n') ? Pop3ProxyHeaderStatus.Invalid : Pop3ProxyHeaderStatus.Incomplete;
        }

        consumed = end + 2;
        var line = head[prefix.Length..end];
        if (line.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
        {
            return Pop3ProxyHeaderStatus.Invalid;
        }

        var parts = System.Text.Encoding.ASCII.GetString(line).Split(' ');
        if (parts[0] == "UNKNOWN")
        {
            return Pop3ProxyHeaderStatus.Parsed;
        }

        var family = parts[0] switch
        {
            "TCP4" => System.Net.Sockets.AddressFamily.InterNetwork,
            "TCP6" => System.Net.Sockets.AddressFamily.InterNetworkV6,
            _ => (System.Net.Sockets.AddressFamily?)null,
        };
        if (family is null || parts.Length != 5
            || !TryParseAddress(parts[1], family.Value, out var sourceAddress)
            || !TryParseAddress(parts[2], family.Value, out var destinationAddress)
            || !TryParsePort(parts[3], out var sourcePort)
            || !TryParsePort(parts[4], out var destinationPort))
        {
            return Pop3ProxyHeaderStatus.Invalid;
        }

        source = new IPEndPoint(sourceAddress, sourcePort);
        destination = new IPEndPoint(destinationAddress, destinationPort);
        return Pop3ProxyHeaderStatus.Parsed;
    }

    private static Pop3ProxyHeaderStatus ParseV2(in ReadOnlySequence<byte> buffer, out long consumed, out IPEndPoint? source, out IPEndPoint? destination)
    {
        consumed = 0;
        source = destination = null;
        Span<byte> fixedPart = stackalloc byte[16];
        var available = (int)Math.Min(buffer.Length, 16);
        buffer.Slice(0, available).CopyTo(fixedPart);
        var signatureSeen = Math.Min(available, V2Signature.Length);
        if (!fixedPart[..signatureSeen].SequenceEqual(V2Signature[..signatureSeen]))
        {
            return Pop3ProxyHeaderStatus.Invalid;
        }

        if (available < 16)
        {
            return Pop3ProxyHeaderStatus.Incomplete;
        }

        var version = fixedPart[12] >> 4;
        var command = fixedPart[12] & 0x0F;
        var addressFamily = fixedPart[13] >> 4;
        var transport = fixedPart[13] & 0x0F;
        var length = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[14..]);
        if (version != 2 || command > 1)
        {
            return Pop3ProxyHeaderStatus.Invalid;
        }

        if (buffer.Length < 16 + length)
        {
            return Pop3ProxyHeaderStatus.Incomplete;
        }

        consumed = 16 + length;
        if (command == 0 || addressFamily is 0 or 3)
        {
            // LOCAL (the proxy's own health check), or an address family without IP addresses: keep the real peer.
            return Pop3ProxyHeaderStatus.Parsed;
        }

        var addressLength = addressFamily switch { 1 => 4, 2 => 16, _ => -1 };
        if (addressLength < 0 || transport is not (0 or 1) || length < (2 * addressLength) + 4)
        {
            return Pop3ProxyHeaderStatus.Invalid;
        }

        Span<byte> addresses = stackalloc byte[36];
        addresses = addresses[..((2 * addressLength) + 4)];
        buffer.Slice(16, addresses.Length).CopyTo(addresses);
        source = new IPEndPoint(new IPAddress(addresses[..addressLength]), BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * addressLength)..]));
        destination = new IPEndPoint(new IPAddress(addresses[addressLength..(2 * addressLength)]), BinaryPrimitives.ReadUInt16BigEndian(addresses[((2 * addressLength) + 2)..]));
        return Pop3ProxyHeaderStatus.Parsed;
    }

    private static bool TryParseAddress(string text, System.Net.Sockets.AddressFamily family, out IPAddress address)
    {
        address = IPAddress.None;
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != family || (family == System.Net.Sockets.AddressFamily.InterNetwork && text.Count(c => c == '.') != 3))
        {
            return false;
        }

        address = parsed;
        return true;
    }

    // proxy-protocol.txt §2.1: decimal, no leading zeros, 0..65535.
    private static bool TryParsePort(string text, out int port)
    {
        port = 0;
        return text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0')
            && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port) && port <= 65535;
    }
}
