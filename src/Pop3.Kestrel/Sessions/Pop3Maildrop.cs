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
    private readonly MaildropListing _listing;

    // Made at the first DELE: most logins of a big mailbox delete nothing, and a login should not cost a pass over it.
    private bool[]? _deleted;

    private Pop3Maildrop(IMaildrop backend, MaildropListing listing)
    {
        _backend = backend;
        _listing = listing;
        Count = listing.Count;
        Size = listing.TotalSize;
    }

    /// <summary>Messages listed at login, deleted ones included: the highest valid message number.</summary>
    public int Highest => _listing.Count;

    /// <summary>Messages not marked as deleted.</summary>
    public int Count { get; private set; }

    /// <summary>Octets of the messages not marked as deleted.</summary>
    public long Size { get; private set; }

    /// <summary>The messages marked as deleted.</summary>
    public int DeletedCount => _listing.Count - Count;

    /// <summary>
    /// The highest message number RETR sent whole in this session, 0 before any; RSET sets it back to 0. What the
    /// obsolete LAST command (RFC 1725) reports, for an application that adds it.
    /// </summary>
    public int HighestRetrieved { get; private set; }

    /// <summary>
    /// Lists the backend. A <see cref="MaildropListing"/> is used as it is (its ids and sizes were checked when it
    /// was made, possibly for an earlier session); any other list is validated and measured here.
    /// </summary>
    internal static async ValueTask<Pop3Maildrop> LoadAsync(IMaildrop backend, string mailbox, Pop3MessageSizeCache sizeCache, CancellationToken cancellationToken)
    {
        var listed = await backend.ListAsync(cancellationToken);
        if (listed is MaildropListing ready)
        {
            return new Pop3Maildrop(backend, ready);
        }

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

        return new Pop3Maildrop(backend, new MaildropListing(messages, uids, sizes));
    }

    /// <summary>Is <paramref name="number"/> (1-based) a listed message?</summary>
    public bool Exists(int number) => number >= 1 && number <= _listing.Count;

    /// <summary>Is message <paramref name="number"/> marked as deleted?</summary>
    public bool IsDeleted(int number) => _deleted is not null && _deleted[number - 1];

    /// <summary>The POP3 size of message <paramref name="number"/>.</summary>
    public long SizeOf(int number) => _listing.SizeOf(number - 1);

    /// <summary>The unique id of message <paramref name="number"/>: 1–70 characters in 0x21–0x7E, unique, stable.</summary>
    public string UidOf(int number) => _listing.UidOf(number - 1);

    /// <summary>What the backend listed for message <paramref name="number"/>.</summary>
    public MaildropMessage MessageOf(int number) => _listing[number - 1];

    /// <summary>Opens message <paramref name="number"/> as raw bytes.</summary>
    public ValueTask<Stream> OpenAsync(int number, CancellationToken cancellationToken) =>
        _backend.OpenMessageAsync(_listing[number - 1], cancellationToken);

    /// <summary>Marks message <paramref name="number"/> as deleted (DELE).</summary>
    public void MarkDeleted(int number)
    {
        _deleted ??= new bool[_listing.Count];
        if (!_deleted[number - 1])
        {
            _deleted[number - 1] = true;
            Count--;
            Size -= _listing.SizeOf(number - 1);
        }
    }

    /// <summary>Unmarks every message and forgets <see cref="HighestRetrieved"/> (RSET).</summary>
    public void Reset()
    {
        _deleted = null;
        HighestRetrieved = 0;
        Count = _listing.Count;
        Size = _listing.TotalSize;
    }

    /// <summary>RETR sent message <paramref name="number"/> whole.</summary>
    internal void Retrieved(int number) => HighestRetrieved = Math.Max(HighestRetrieved, number);

    /// <summary>The marked messages, for the commit at UPDATE.</summary>
    public IReadOnlyList<MaildropMessage> Marked()
    {
        var marked = new List<MaildropMessage>(DeletedCount);
        if (_deleted is null)
        {
            return marked;
        }

        for (var i = 0; i < _deleted.Length; i++)
        {
            if (_deleted[i])
            {
                marked.Add(_listing[i]);
            }
        }

        return marked;
    }

    /// <summary>Octets of the marked messages.</summary>
    public long MarkedSize() => _listing.TotalSize - Size;

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

    /// <inheritdoc cref="MaildropListing.AssignUids"/>
    internal static string[] AssignUids(MaildropMessage[] messages) => MaildropListing.AssignUids(messages);

    internal static bool IsValidUid(string id) => MaildropListing.IsValidUid(id);
}
