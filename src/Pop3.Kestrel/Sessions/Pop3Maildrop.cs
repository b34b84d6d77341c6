using System.Security.Cryptography;
using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// The session's view of its open maildrop: the snapshot taken at login, numbered from 1, with the
/// deletion marks of this session. Message numbers never change within a session (RFC 1939 §5).
/// </summary>
public sealed class Pop3Maildrop
{
    private readonly IMaildrop _backend;
    private readonly MaildropMessage[] _messages;
    private readonly long[] _sizes;
    private readonly string[] _uids;
    private readonly bool[] _deleted;

    private Pop3Maildrop(IMaildrop backend, MaildropMessage[] messages, long[] sizes, string[] uids)
    {
        _backend = backend;
        _messages = messages;
        _sizes = sizes;
        _uids = uids;
        _deleted = new bool[messages.Length];
        foreach (var size in sizes)
        {
            Size += size;
        }

        Count = messages.Length;
    }

    /// <summary>Messages listed at login, deleted ones included: the highest valid message number.</summary>
    public int Highest => _messages.Length;

    /// <summary>Messages not marked as deleted.</summary>
    public int Count { get; private set; }

    /// <summary>Octets of the messages not marked as deleted.</summary>
    public long Size { get; private set; }

    /// <summary>The messages marked as deleted.</summary>
    public int DeletedCount => _messages.Length - Count;

    internal static async ValueTask<Pop3Maildrop> LoadAsync(IMaildrop backend, string mailbox, Pop3MessageSizeCache sizeCache, CancellationToken cancellationToken)
    {
        var listed = await backend.ListAsync(cancellationToken);
        var messages = listed.ToArray();
        var uids = AssignUids(messages);
        var sizes = new long[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];

            // Only an id that is valid and unique names one message for sure, so only those are remembered.
            var cacheable = ReferenceEquals(uids[i], message.Id);
            if (message.Size is { } known)
            {
                sizes[i] = known;
            }
            else if (!cacheable || !sizeCache.TryGet(mailbox, message.Id, out sizes[i]))
            {
                sizes[i] = await MeasureAsync(backend, message, cancellationToken);
                if (cacheable)
                {
                    sizeCache.Set(mailbox, message.Id, sizes[i]);
                }
            }
        }

        return new Pop3Maildrop(backend, messages, sizes, uids);
    }

    /// <summary>Is <paramref name="number"/> (1-based) a listed message?</summary>
    public bool Exists(int number) => number >= 1 && number <= _messages.Length;

    /// <summary>Is message <paramref name="number"/> marked as deleted?</summary>
    public bool IsDeleted(int number) => _deleted[number - 1];

    /// <summary>The POP3 size of message <paramref name="number"/>.</summary>
    public long SizeOf(int number) => _sizes[number - 1];

    /// <summary>The unique id of message <paramref name="number"/>: 1–70 characters in 0x21–0x7E, unique, stable.</summary>
    public string UidOf(int number) => _uids[number - 1];

    /// <summary>What the backend listed for message <paramref name="number"/>.</summary>
    public MaildropMessage MessageOf(int number) => _messages[number - 1];

    /// <summary>Opens message <paramref name="number"/> as raw bytes.</summary>
    public ValueTask<Stream> OpenAsync(int number, CancellationToken cancellationToken) =>
        _backend.OpenMessageAsync(_messages[number - 1], cancellationToken);

    /// <summary>Marks message <paramref name="number"/> as deleted (DELE).</summary>
    public void MarkDeleted(int number)
    {
        if (!_deleted[number - 1])
        {
            _deleted[number - 1] = true;
            Count--;
            Size -= _sizes[number - 1];
        }
    }

    /// <summary>Unmarks every message (RSET).</summary>
    public void Reset()
    {
        Array.Clear(_deleted);
        Count = _messages.Length;
        Size = 0;
        foreach (var size in _sizes)
        {
            Size += size;
        }
    }

    /// <summary>The marked messages, for the commit at UPDATE.</summary>
    public IReadOnlyList<MaildropMessage> Marked()
    {
        var marked = new List<MaildropMessage>(DeletedCount);
        for (var i = 0; i < _messages.Length; i++)
        {
            if (_deleted[i])
            {
                marked.Add(_messages[i]);
            }
        }

        return marked;
    }

    /// <summary>Octets of the marked messages.</summary>
    public long MarkedSize()
    {
        long total = 0;
        for (var i = 0; i < _messages.Length; i++)
        {
            total += _deleted[i] ? _sizes[i] : 0;
        }

        return total;
    }

    /// <summary>
    /// Releases the backend's lock before QUIT's reply goes out, so a client that reconnects at once
    /// after <c>+OK</c> finds its mailbox free. The DI scope disposes the backend again later; backends
    /// must allow that (the conformance kit checks it).
    /// </summary>
    internal ValueTask ReleaseAsync() => _backend.DisposeAsync();

    internal ValueTask CommitAsync(CancellationToken cancellationToken) =>
        _backend.CommitDeletionsAsync(Marked(), cancellationToken);

    private static async ValueTask<long> MeasureAsync(IMaildrop backend, MaildropMessage message, CancellationToken cancellationToken)
    {
        await using var stream = await backend.OpenMessageAsync(message, cancellationToken);
        return await Pop3MessageWriter.MeasureAsync(stream, cancellationToken);
    }

    /// <summary>
    /// RFC 1939 §7: a unique-id is 1 to 70 characters in 0x21–0x7E, unique within the maildrop and
    /// stable across sessions. An id from the backend that breaks a rule is replaced by a hash of it,
    /// which is just as stable.
    /// </summary>
    internal static string[] AssignUids(MaildropMessage[] messages)
    {
        var uids = new string[messages.Length];
        var seen = new HashSet<string>(messages.Length, StringComparer.Ordinal);
        for (var i = 0; i < messages.Length; i++)
        {
            var id = messages[i].Id;
            var uid = IsValidUid(id) ? id : HashUid(id);
            for (var n = 2; !seen.Add(uid); n++)
            {
                uid = HashUid($"{id}\0{n}");
            }

            uids[i] = uid;
        }

        return uids;
    }

    internal static bool IsValidUid(string id)
    {
        if (id.Length is 0 or > 70)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static string HashUid(string id) =>
        "H" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)).AsSpan(0, 20));
}
