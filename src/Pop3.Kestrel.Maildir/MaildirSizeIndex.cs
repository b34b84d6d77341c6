using System.Globalization;
using System.Text;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// The POP3 sizes of messages whose names do not carry <c>W=</c>, kept in the Maildir root so that a login
/// lists the mailbox without reading message bodies. One line per message:
/// <c>id TAB file-size TAB pop3-size</c>. An entry is trusted while the file keeps its size.
/// </summary>
/// <remarks>
/// The file is a cache: anything unreadable in it is ignored and measured again. Only the holder of the
/// mailbox lock writes it, by writing a temporary file and renaming it over the old one.
/// </remarks>
internal static class MaildirSizeIndex
{
    public const string FileName = "pop3-kestrel.sizes";

    public readonly record struct Entry(long FileSize, long Pop3Size);

    public static Dictionary<string, Entry> Read(string root)
    {
        var index = new Dictionary<string, Entry>(StringComparer.Ordinal);
        StreamReader reader;
        try
        {
            reader = new StreamReader(Path.Combine(root, FileName), Encoding.UTF8);
        }
        catch (FileNotFoundException)
        {
            return index;
        }

        using (reader)
        {
            while (reader.ReadLine() is { } line)
            {
                var span = line.AsSpan();
                var tab1 = span.IndexOf('\t');
                if (tab1 <= 0)
                {
                    continue;
                }

                var rest = span[(tab1 + 1)..];
                var tab2 = rest.IndexOf('\t');
                if (tab2 <= 0
                    || !long.TryParse(rest[..tab2], NumberStyles.None, CultureInfo.InvariantCulture, out var fileSize)
                    || !long.TryParse(rest[(tab2 + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var pop3Size))
                {
                    continue;
                }

                index[line[..tab1]] = new Entry(fileSize, pop3Size);
            }
        }

        return index;
    }

    public static void Write(string root, IEnumerable<KeyValuePair<string, Entry>> entries)
    {
        var path = Path.Combine(root, FileName);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = MaildirDirectory.PrivateFile;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024))
        {
            writer.NewLine = "\n";
            foreach (var (id, entry) in entries)
            {
                // A name with a line break or tab would corrupt the file; such a message is simply measured each time.
                if (id.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0)
                {
                    continue;
                }

                writer.Write(id);
                writer.Write('\t');
                writer.Write(entry.FileSize.ToString(CultureInfo.InvariantCulture));
                writer.Write('\t');
                writer.WriteLine(entry.Pop3Size.ToString(CultureInfo.InvariantCulture));
            }

            writer.Flush();

            // Without this a crash after the rename could leave an empty index in place of the old one.
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
