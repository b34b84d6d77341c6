using System.Globalization;
using System.Text;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// Reads the parts of a Maildir file name: <c>&lt;unique&gt;[,S=&lt;size&gt;][,W=&lt;vsize&gt;]:2,&lt;flags&gt;</c>.
/// </summary>
internal static class MaildirFileName
{
    /// <summary>Separates the unique name from the flags; renaming a file to change its flags keeps what is before it.</summary>
    public const char InfoSeparator = ':';

    /// <summary>The info a reader gives a message when it moves it from new/ to cur/ without flags.</summary>
    public const string EmptyInfo = ":2,";

    /// <summary>The file name up to the info separator: what stays the same while the flags change.</summary>
    public static ReadOnlySpan<char> Base(ReadOnlySpan<char> fileName)
    {
        var colon = fileName.IndexOf(InfoSeparator);
        return colon < 0 ? fileName : fileName[..colon];
    }

    /// <summary>
    /// The message's id: the base name without its <c>S=</c> and <c>W=</c> fields, so that a tool which
    /// adds a size field to the name does not make the message look new to the client.
    /// </summary>
    public static string Id(string fileName)
    {
        var baseName = Base(fileName);
        var comma = baseName.IndexOf(',');
        if (comma < 0)
        {
            return baseName.Length == fileName.Length ? fileName : baseName.ToString();
        }

        var id = new StringBuilder(baseName.Length).Append(baseName[..comma]);
        foreach (var range in baseName[(comma + 1)..].Split(','))
        {
            var field = baseName[(comma + 1)..][range];
            if (!IsSizeField(field))
            {
                id.Append(',').Append(field);
            }
        }

        return id.ToString();
    }

    /// <summary>The <c>W=</c> field of the name: the size with CRLF line endings, as Dovecot and <see cref="MaildirDelivery"/> write it.</summary>
    public static long? VirtualSize(ReadOnlySpan<char> fileName)
    {
        var baseName = Base(fileName);
        var comma = baseName.IndexOf(',');
        if (comma < 0)
        {
            return null;
        }

        var fields = baseName[(comma + 1)..];
        foreach (var range in fields.Split(','))
        {
            var field = fields[range];
            if (field.StartsWith("W=", StringComparison.Ordinal)
                && long.TryParse(field[2..], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                return size;
            }
        }

        return null;
    }

    /// <summary>The leading number of the name: the delivery time in Unix seconds for names made by the usual Maildir recipe, or 0.</summary>
    public static ulong DeliveryTime(ReadOnlySpan<char> fileName)
    {
        var digits = 0;
        while (digits < fileName.Length && char.IsAsciiDigit(fileName[digits]))
        {
            digits++;
        }

        return ulong.TryParse(fileName[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var time) ? time : 0;
    }

    private static bool IsSizeField(ReadOnlySpan<char> field) =>
        field.StartsWith("S=", StringComparison.Ordinal) || field.StartsWith("W=", StringComparison.Ordinal);
}
