using System.Globalization;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// Dovecot's <c>dovecot-uidlist</c>, read so that a mailbox Dovecot served before keeps its POP3 UIDLs
/// (clients that "leave mail on server" would otherwise download everything again).
/// </summary>
/// <remarks>
/// Version 3 (Dovecot 1.1 and later): a header <c>3 V&lt;uidvalidity&gt; N&lt;nextuid&gt; ...</c>, then one line per
/// message <c>&lt;uid&gt; [&lt;key&gt;&lt;value&gt; ...] :&lt;filename&gt;</c>. Version 1 (Courier-compatible):
/// <c>1 &lt;uidvalidity&gt; &lt;nextuid&gt;</c>, then <c>&lt;uid&gt; &lt;filename&gt;</c>. The UIDL is the <c>P</c>
/// extension when present (a UIDL Dovecot saved with <c>pop3_save_uidl</c>, used verbatim), otherwise what Dovecot's
/// default <c>pop3_uidl_format = %08Xu%08Xv</c> produces: UID and UIDVALIDITY as 8 hex digits each, in lower case
/// (despite the X: checked against Dovecot 2.3.19's own UIDL reply). The <c>W</c> extension is the size with CRLF
/// line endings. The <c>O</c> extension is the POP3 order a migration into Dovecot saved, which Dovecot's POP3 server
/// numbers messages by before their UIDs (see <see cref="MaildirListingOrder"/>).
/// This reader never writes the file.
/// </remarks>
internal sealed class DovecotUidList
{
    public const string FileName = "dovecot-uidlist";

    private readonly Dictionary<string, Entry> _entries;

    private DovecotUidList(Dictionary<string, Entry> entries) => _entries = entries;

    /// <summary>One message of the uidlist: its UIDL, its size (the <c>W</c> extension), its UID and its <c>O</c> extension.</summary>
    public readonly record struct Entry(string Uidl, long? Size, uint Uid, uint? Pop3Order);

    public int Count => _entries.Count;

    /// <summary>Looks a message up by its id (see <see cref="MaildirFileName.Id"/>), so flag and size-field changes do not matter.</summary>
    public bool TryGet(string id, out Entry entry) => _entries.TryGetValue(id, out entry);

    /// <summary>Reads the uidlist in <paramref name="root"/>; null if there is none or its version is not understood.</summary>
    public static DovecotUidList? TryRead(string root)
    {
        StreamReader reader;
        try
        {
            reader = new StreamReader(Path.Combine(root, FileName));
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        using (reader)
        {
            return Parse(reader);
        }
    }

    internal static DovecotUidList? Parse(TextReader reader)
    {
        if (reader.ReadLine() is not { } header)
        {
            return null;
        }

        var fields = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        uint uidValidity = 0;
        int version;
        switch (fields)
        {
            case ["3", .. var extensions]:
                version = 3;
                foreach (var field in extensions)
                {
                    if (field.StartsWith('V') && !uint.TryParse(field.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out uidValidity))
                    {
                        return null;
                    }
                }

                break;
            case ["1", var validity, ..]:
                version = 1;
                if (!uint.TryParse(validity, NumberStyles.None, CultureInfo.InvariantCulture, out uidValidity))
                {
                    return null;
                }

                break;
            default:
                return null;
        }

        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (TryParseEntry(line, version, uidValidity, out var fileName, out var entry))
            {
                // Dovecot lets a later line for the same file win.
                entries[MaildirFileName.Id(fileName)] = entry;
            }
        }

        return new DovecotUidList(entries);
    }

    private static bool TryParseEntry(string line, int version, uint uidValidity, out string fileName, out Entry entry)
    {
        fileName = "";
        entry = default;
        var span = line.AsSpan();
        var space = span.IndexOf(' ');
        if (space <= 0 || !uint.TryParse(span[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) || uid == 0)
        {
            return false;
        }

        var rest = span[(space + 1)..].TrimStart(' ');
        string? savedUidl = null;
        long? size = null;
        uint? pop3Order = null;
        if (version == 3)
        {
            // Extensions run up to the ':' that starts the file name; a file name may itself contain spaces.
            while (!rest.IsEmpty && rest[0] != ':')
            {
                var end = rest.IndexOf(' ');
                var extension = end < 0 ? rest : rest[..end];
                switch (extension[0])
                {
                    case 'P' when extension.Length > 1:
                        savedUidl = extension[1..].ToString();
                        break;
                    case 'W' when long.TryParse(extension[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var vsize):
                        size = vsize;
                        break;
                    case 'O' when uint.TryParse(extension[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var order):
                        pop3Order = order;
                        break;
                }

                rest = end < 0 ? [] : rest[(end + 1)..].TrimStart(' ');
            }

            if (rest.IsEmpty)
            {
                return false;
            }

            rest = rest[1..];
        }

        if (rest.IsEmpty || rest.Contains('/'))
        {
            return false;
        }

        fileName = rest.ToString();
        var uidl = savedUidl ?? string.Create(CultureInfo.InvariantCulture, $"{uid:x8}{uidValidity:x8}");
        entry = new Entry(uidl, size, uid, pop3Order);
        return true;
    }
}
