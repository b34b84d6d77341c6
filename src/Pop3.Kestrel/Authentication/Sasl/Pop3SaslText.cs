using System.Security.Cryptography;
using System.Text;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>What the mechanisms share: strict UTF-8, the host name in challenges, random tokens.</summary>
internal static class Pop3SaslText
{
    /// <summary>The longest authentication or authorization identity or password a mechanism accepts (RFC 4616 suggests 255).</summary>
    public const int MaxFieldLength = 255;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>The host name used in APOP and CRAM-MD5 timestamps (the machine name, reduced to safe characters).</summary>
    public static string HostName { get; } = MakeHostName();

    /// <summary>Decodes UTF-8 strictly; false for invalid UTF-8, NUL and other control characters, and empty or over-long fields.</summary>
    public static bool TryDecodeField(ReadOnlySpan<byte> bytes, out string text)
    {
        text = "";
        if (bytes.IsEmpty || bytes.Length > MaxFieldLength)
        {
            return false;
        }

        foreach (var b in bytes)
        {
            if (b < 0x20 || b == 0x7F)
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

    /// <summary>A fresh RFC 1939 / RFC 2195 style timestamp: <c>&lt;random.seconds@host&gt;</c>.</summary>
    public static string NewTimestamp(TimeProvider time) =>
        $"<{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.{time.GetUtcNow().ToUnixTimeSeconds()}@{HostName}>";

    /// <summary>saslname (RFC 5802 §5.1): "=2C" is ',' and "=3D" is '='; any other '=' is an error.</summary>
    public static bool TryDecodeSaslName(string value, out string name)
    {
        name = "";
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '=')
            {
                builder.Append(value[i]);
                continue;
            }

            if (i + 3 > value.Length)
            {
                return false;
            }

            var escape = value.AsSpan(i + 1, 2);
            if (escape.SequenceEqual("2C"))
            {
                builder.Append(',');
            }
            else if (escape.SequenceEqual("3D"))
            {
                builder.Append('=');
            }
            else
            {
                return false;
            }

            i += 2;
        }

        name = builder.ToString();
        return name.Length is > 0 and <= Pop3SaslText.MaxFieldLength;
    }

    private static string MakeHostName()
    {
        var name = new string(Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.').ToArray()).ToLowerInvariant();
        return name.Length == 0 ? "localhost" : name;
    }
}
