using System.Text;

namespace Pop3.Kestrel.Commands;

/// <summary>Turns user names and passwords from the wire into strings: ASCII, or UTF-8 after the UTF8 command (RFC 6856).</summary>
internal static class Pop3Text
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>False for control characters, for non-ASCII before UTF8, and for invalid UTF-8.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, bool utf8, out string text)
    {
        text = "";
        foreach (var b in bytes)
        {
            if (b < 0x20 || b == 0x7F || (b >= 0x80 && !utf8))
            {
                return false;
            }
        }

        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
