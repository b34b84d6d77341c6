using System.Collections;
using System.Security.Cryptography;
using System.Text;

namespace Pop3.Kestrel.Maildrops;

/// <summary>
/// A listing that is ready to serve: every size known, the unique ids already validated (RFC 1939 §7) and the
/// total computed. Immutable, so a backend that caches listings across sessions can hand the same instance to
/// every login of an unchanged mailbox from <see cref="IMaildrop.ListAsync"/>, and the login then does no work
/// per message. Any other <see cref="IReadOnlyList{T}"/> still works; the framework validates it at each login.
/// </summary>
public sealed class MaildropListing : IReadOnlyList<MaildropMessage>
{
    private readonly MaildropMessage[] _messages;
    private readonly long[] _sizes;
    private readonly string[] _uids;

    /// <summary>Validates <paramref name="messages"/> once: the unique ids served are those the framework would serve for the same list.</summary>
    /// <exception cref="ArgumentException">A message has no <see cref="MaildropMessage.Size"/>: only the framework can measure it.</exception>
    public MaildropListing(IEnumerable<MaildropMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        _messages = messages.ToArray();
        _sizes = new long[_messages.Length];
        for (var i = 0; i < _messages.Length; i++)
        {
            _sizes[i] = _messages[i].Size
                ?? throw new ArgumentException($"Message {i + 1} ('{_messages[i].Id}') has no size: return a plain list to let the framework measure it.", nameof(messages));
        }

        _uids = AssignUids(_messages);
        TotalSize = Sum(_sizes);
    }

    /// <summary>For the framework, whose <paramref name="uids"/> and <paramref name="sizes"/> are already checked.</summary>
    internal MaildropListing(MaildropMessage[] messages, string[] uids, long[] sizes)
    {
        _messages = messages;
        _uids = uids;
        _sizes = sizes;
        TotalSize = Sum(sizes);
    }

    /// <summary>The number of messages.</summary>
    public int Count => _messages.Length;

    /// <summary>Octets of all messages: what STAT says before any DELE.</summary>
    public long TotalSize { get; }

    /// <summary>The message at <paramref name="index"/> (0-based), as the backend listed it.</summary>
    public MaildropMessage this[int index] => _messages[index];

    /// <summary>The POP3 size of the message at <paramref name="index"/> (0-based).</summary>
    public long SizeOf(int index) => _sizes[index];

    /// <summary>The unique id served for the message at <paramref name="index"/> (0-based): its id, or a stable hash when the id is invalid or repeated.</summary>
    public string UidOf(int index) => _uids[index];

    /// <inheritdoc />
    public IEnumerator<MaildropMessage> GetEnumerator() => ((IEnumerable<MaildropMessage>)_messages).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

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

    private static long Sum(long[] sizes)
    {
        long total = 0;
        foreach (var size in sizes)
        {
            total += size;
        }

        return total;
    }
}
