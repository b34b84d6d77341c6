using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Testing;

/// <summary>
/// The kit's own copy of the rules by which the framework serves a backend's mail: the POP3 form of a message and
/// its size (RFC 1939 §11), and which ids are served as UIDLs unchanged (§7). Written apart from the server, from
/// the RFC, so that each checks the other and the kit needs nothing of the framework beyond its public API.
/// </summary>
internal static class Pop3Wire
{
    /// <summary>
    /// The POP3 form of a message: a bare LF becomes CRLF, a lone CR stays, a final CRLF is added when the last line
    /// has none. It is also what a client keeps of RETR: the dots the server stuffs at line starts it removes again.
    /// </summary>
    public static byte[] Pop3Form(ReadOnlySpan<byte> message)
    {
        var output = new List<byte>(message.Length + message.Length / 16 + 2);
        for (var i = 0; i < message.Length; i++)
        {
            if (message[i] == (byte)'\n' && (i == 0 || message[i - 1] != (byte)'\r'))
            {
                output.Add((byte)'\r');
            }

            output.Add(message[i]);
        }

        if (message.Length > 0 && message[^1] != (byte)'\n')
        {
            output.Add((byte)'\r');
            output.Add((byte)'\n');
        }

        return output.ToArray();
    }

    /// <summary>The POP3 size of a message: the octets of its POP3 form.</summary>
    public static long Measure(ReadOnlySpan<byte> message) => Pop3Form(message).Length;

    /// <summary>RFC 1939 §7: 1 to 70 characters in 0x21–0x7E. The framework serves any other id as a hash of it.</summary>
    public static bool IsValidUid(string id) => id.Length is >= 1 and <= 70 && id.All(c => c is >= '!' and <= '~');

    /// <summary>
    /// The listing the framework serves for <paramref name="listed"/>: a <see cref="MaildropListing"/> as it is, any
    /// other list with each unsized message measured from its bytes in <paramref name="streams"/> (same order) and
    /// its UIDLs assigned by the framework's own rule.
    /// </summary>
    public static MaildropListing Serve(IReadOnlyList<MaildropMessage> listed, IReadOnlyList<byte[]> streams) =>
        listed as MaildropListing
        ?? new MaildropListing(listed.Select((message, i) => message with { Size = message.Size ?? Measure(streams[i]) }));
}
