using System.Buffers.Text;
using System.Text;

namespace Pop3.Kestrel.Lmtp;

/// <summary>Keywords, paths and parameters of LMTP command lines, parsed from spans without allocating.</summary>
internal static class LmtpCommandParser
{
    /// <summary>The verb of <paramref name="line"/>, and what follows it after one space.</summary>
    public static LmtpCommand Parse(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> arguments)
    {
        var space = line.IndexOf((byte)' ');
        var verb = space < 0 ? line : line[..space];
        arguments = space < 0 ? [] : line[(space + 1)..];
        if (verb.Length != 4)
        {
            return verb.Length == 8 && Ascii.EqualsIgnoreCase(verb, "STARTTLS"u8) ? LmtpCommand.NotImplemented : LmtpCommand.Unknown;
        }

        // Four ASCII letters folded to lower case make one integer to switch on.
        var key = (uint)(verb[0] | verb[1] << 8 | verb[2] << 16 | verb[3] << 24) | 0x20202020u;
        return key switch
        {
            0x6f6c686c => LmtpCommand.Lhlo, // "lhlo"
            0x6c69616d => LmtpCommand.Mail,
            0x74706372 => LmtpCommand.Rcpt,
            0x61746164 => LmtpCommand.Data,
            0x74657372 => LmtpCommand.Rset,
            0x706f6f6e => LmtpCommand.Noop,
            0x74697571 => LmtpCommand.Quit,
            0x79667276 => LmtpCommand.Vrfy,
            0x6f6c6568 or 0x6f6c6865 => LmtpCommand.Helo, // "helo", "ehlo"
            0x6e707865 or 0x706c6568 or 0x74616462 or 0x6e727574 => LmtpCommand.NotImplemented, // "expn", "help", "bdat", "turn"
            _ => LmtpCommand.Unknown,
        };
    }

    /// <summary>
    /// Splits <c>FROM:&lt;path&gt; params</c> (or <c>TO:</c>): <paramref name="prefix"/> is matched without regard to
    /// case, a space after the colon is tolerated, the path must be in angle brackets.
    /// </summary>
    public static bool TrySplitPath(ReadOnlySpan<byte> arguments, ReadOnlySpan<byte> prefix, out ReadOnlySpan<byte> path, out ReadOnlySpan<byte> parameters)
    {
        path = parameters = [];
        if (arguments.Length < prefix.Length || !Ascii.EqualsIgnoreCase(arguments[..prefix.Length], prefix))
        {
            return false;
        }

        var rest = arguments[prefix.Length..].TrimStart((byte)' ');
        if (rest.Length < 2 || rest[0] != (byte)'<')
        {
            return false;
        }

        // The closing bracket is the first one outside a quoted local part.
        var quoted = false;
        for (var i = 1; i < rest.Length; i++)
        {
            var b = rest[i];
            if (quoted && b == (byte)'\\')
            {
                i++;
            }
            else if (b == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (!quoted && b == (byte)'>')
            {
                path = rest[1..i];
                var after = rest[(i + 1)..];
                if (after.Length > 0 && after[0] != (byte)' ')
                {
                    return false;
                }

                parameters = after.Trim((byte)' ');
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The mailbox of a path: an obsolete source route (<c>@a,@b:</c>) dropped, split at the last <c>@</c> outside
    /// quotes; <paramref name="domain"/> is empty for a bare local part (<c>&lt;postmaster&gt;</c>). False for a path
    /// that is no mailbox (empty, control characters or spaces outside quotes, an empty local part or domain).
    /// </summary>
    public static bool TrySplitMailbox(ReadOnlySpan<byte> path, out ReadOnlySpan<byte> localPart, out ReadOnlySpan<byte> domain)
    {
        localPart = domain = [];
        if (path.Length > 0 && path[0] == (byte)'@')
        {
            var colon = path.IndexOf((byte)':');
            if (colon < 0)
            {
                return false;
            }

            path = path[(colon + 1)..];
        }

        var at = -1;
        var quoted = false;
        for (var i = 0; i < path.Length; i++)
        {
            var b = path[i];
            if (b is < 0x20 or 0x7F)
            {
                return false;
            }

            if (quoted && b == (byte)'\\')
            {
                i++;
            }
            else if (b == (byte)'"')
            {
                quoted = !quoted;
            }
            else if (!quoted && b == (byte)' ')
            {
                return false;
            }
            else if (!quoted && b == (byte)'@')
            {
                at = i;
            }
        }

        if (quoted)
        {
            return false;
        }

        localPart = at < 0 ? path : path[..at];
        domain = at < 0 ? [] : path[(at + 1)..];
        return localPart.Length > 0 && (at < 0 || domain.Length > 0);
    }

    /// <summary>The user a recipient names under <paramref name="mapping"/>; a quoted local part is unquoted.</summary>
    public static string UserOf(ReadOnlySpan<byte> localPart, ReadOnlySpan<byte> domain, Pop3LmtpRecipientMapping mapping)
    {
        var local = Unquote(localPart);
        if (mapping == Pop3LmtpRecipientMapping.LocalPart || domain.IsEmpty)
        {
            return local;
        }

        return local + "@" + Encoding.UTF8.GetString(domain).ToLowerInvariant();
    }

    private static string Unquote(ReadOnlySpan<byte> localPart)
    {
        if (localPart.Length < 2 || localPart[0] != (byte)'"' || localPart[^1] != (byte)'"')
        {
            return Encoding.UTF8.GetString(localPart);
        }

        var inner = localPart[1..^1];
        Span<byte> plain = stackalloc byte[inner.Length];
        var n = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            if (inner[i] == (byte)'\\' && i + 1 < inner.Length)
            {
                i++;
            }

            plain[n++] = inner[i];
        }

        return Encoding.UTF8.GetString(plain[..n]);
    }

    /// <summary>What MAIL FROM's parameters said, or which one was wrong.</summary>
    public enum MailParameters
    {
        Valid,
        Malformed,
        Unsupported,
    }

    /// <summary>
    /// Reads MAIL FROM's ESMTP parameters: <c>SIZE=n</c> (RFC 1870) and <c>BODY=7BIT|8BITMIME</c> (RFC 6152); any other is
    /// unsupported, since only those extensions are announced. <paramref name="declaredSize"/> is -1 without SIZE.
    /// </summary>
    public static MailParameters ParseMailParameters(ReadOnlySpan<byte> parameters, out long declaredSize)
    {
        declaredSize = -1;
        while (!parameters.IsEmpty)
        {
            var space = parameters.IndexOf((byte)' ');
            var parameter = space < 0 ? parameters : parameters[..space];
            parameters = space < 0 ? [] : parameters[(space + 1)..].TrimStart((byte)' ');
            var equals = parameter.IndexOf((byte)'=');
            var keyword = equals < 0 ? parameter : parameter[..equals];
            var value = equals < 0 ? [] : parameter[(equals + 1)..];
            if (Ascii.EqualsIgnoreCase(keyword, "SIZE"u8))
            {
                if (!Utf8Parser.TryParse(value, out long size, out var used) || used != value.Length || size < 0)
                {
                    return MailParameters.Malformed;
                }

                declaredSize = size;
            }
            else if (Ascii.EqualsIgnoreCase(keyword, "BODY"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "7BIT"u8) && !Ascii.EqualsIgnoreCase(value, "8BITMIME"u8))
                {
                    return MailParameters.Unsupported;
                }
            }
            else
            {
                return keyword.IsEmpty ? MailParameters.Malformed : MailParameters.Unsupported;
            }
        }

        return MailParameters.Valid;
    }
}
