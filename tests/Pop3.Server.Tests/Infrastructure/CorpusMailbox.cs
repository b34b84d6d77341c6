using Pop3.Kestrel.Maildrops;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>Corpus files loaded into alice's mailbox, in order, with what a client must receive for each.</summary>
public sealed class CorpusMailbox
{
    /// <summary>
    /// The tricky handful (see the corpus README): lone-dot lines (009, 010), a ".." line (013), a
    /// 12-dot line and 990-char header (015), no final newline (017), all 256 byte values with NUL and
    /// bare CR (002), 8-bit Latin-1 after an mbox From line (020), LF-only and over 1 MiB (063).
    /// </summary>
    public static readonly string[] Tricky = ["009", "010", "013", "015", "017", "002", "020", "063"];

    private CorpusMailbox(InMemoryMailStore store, IReadOnlyList<string> names, IReadOnlyList<string> ids, IReadOnlyList<byte[]> files)
    {
        Store = store;
        Names = names;
        Ids = ids;
        Files = files;
    }

    public InMemoryMailStore Store { get; }

    /// <summary>File names; message number n is <c>Names[n - 1]</c>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The store's unique ids, which the server uses for UIDL.</summary>
    public IReadOnlyList<string> Ids { get; }

    public IReadOnlyList<byte[]> Files { get; }

    public int Count => Names.Count;

    /// <summary>What a client must receive for message <paramref name="number"/> (1-based).</summary>
    public byte[] Expected(int number) => Corpus.Expected(Files[number - 1]);

    /// <summary>Alice's mailbox holding the corpus files whose names start with <paramref name="prefixes"/>.</summary>
    public static CorpusMailbox Of(params string[] prefixes) =>
        Load(prefixes.Select(prefix => Corpus.Files.Single(file => Path.GetFileName(file).StartsWith(prefix + "-", StringComparison.Ordinal))));

    /// <summary>Alice's mailbox holding all 67 corpus files.</summary>
    public static CorpusMailbox All() => Load(Corpus.Files);

    private static CorpusMailbox Load(IEnumerable<string> paths)
    {
        var store = new InMemoryMailStore();
        List<string> names = [], ids = [];
        List<byte[]> files = [];
        foreach (var path in paths)
        {
            var bytes = File.ReadAllBytes(path);
            names.Add(Path.GetFileName(path));
            files.Add(bytes);
            ids.Add(store.Add("alice", bytes));
        }

        return new CorpusMailbox(store, names, ids, files);
    }

    /// <summary>The scan listing body a client must see: "n size" per message, CRLF-terminated.</summary>
    public string ScanListing() => string.Concat(Enumerable.Range(1, Count).Select(n => $"{n} {Expected(n).Length}\r\n"));

    /// <summary>The unique-id listing body a client must see.</summary>
    public string UidListing() => string.Concat(Enumerable.Range(1, Count).Select(n => $"{n} {Ids[n - 1]}\r\n"));

    /// <summary>
    /// TOP msg n as the client gets it after un-stuffing: the header section, the blank line, then
    /// the first <paramref name="lines"/> body lines of the CRLF-normalised message.
    /// </summary>
    public static byte[] Top(byte[] expected, int lines)
    {
        var span = expected.AsSpan();
        var separator = span.IndexOf("\r\n\r\n"u8);
        if (separator < 0)
        {
            throw new ArgumentException("The message has no header/body separator; pick another file.", nameof(expected));
        }

        var end = separator + 4;
        for (var i = 0; i < lines && end < span.Length; i++)
        {
            end += span[end..].IndexOf("\r\n"u8) + 2;
        }

        return span[..end].ToArray();
    }

    /// <summary>The first line with its CRLF removed (what fetchmail does to a leading mbox From line).</summary>
    public static byte[] WithoutFirstLine(byte[] expected) => expected.AsSpan(expected.AsSpan().IndexOf("\r\n"u8) + 2).ToArray();

    /// <summary>CRLF turned into LF (what mpop does before handing a message to an MDA).</summary>
    public static byte[] WithLfLineEndings(byte[] expected)
    {
        var output = new List<byte>(expected.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (!(expected[i] == (byte)'\r' && i + 1 < expected.Length && expected[i + 1] == (byte)'\n'))
            {
                output.Add(expected[i]);
            }
        }

        return output.ToArray();
    }
}
