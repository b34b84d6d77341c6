using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// The parsed listings of the Maildirs this process served, shared by all sessions (a singleton), so that logging in
/// to an unchanged mailbox costs four <c>stat</c> calls instead of reading cur/, <c>dovecot-uidlist</c> and the size
/// index. Keyed by the Maildir root; bounded by <see cref="MaildirOptions.ListingCacheMessages"/> messages in all
/// (each mailbox counting one more than its messages), the least recently used mailboxes going first.
/// </summary>
/// <remarks>
/// A listing is only given out as it is while the Maildir's stamp is unchanged and was settled when the listing was
/// read (see <see cref="MaildirListingStamp.IsSettledAt"/>). Anything this process changes itself (new/ moved to cur/,
/// deletions at UPDATE) changes the stamp too, so the next login reads the Maildir again; but the last listing is kept
/// whatever its stamp, and that read takes from it all that still holds (<see cref="MaildirListingReader"/>), so it
/// costs little more than one pass over cur/.
/// </remarks>
internal sealed class MaildirListingCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byRoot = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recent = new();
    private readonly long _capacity;
    private readonly TimeProvider _time;
    private long _messages;
    private long _hits;
    private long _reads;
    private long _rereads;

    /// <summary>Creates an empty cache bounded by <paramref name="options"/>' <see cref="MaildirOptions.ListingCacheMessages"/>.</summary>
    public MaildirListingCache(IOptions<MaildirOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _capacity = options.Value.ListingCacheMessages;
        _time = time;
    }

    /// <summary>Logins served from the cache.</summary>
    internal long Hits => Interlocked.Read(ref _hits);

    /// <summary>Listings read from the disk by sessions using this cache.</summary>
    internal long Reads => Interlocked.Read(ref _reads);

    /// <summary>Those of <see cref="Reads"/> that took what still held from the previous listing of the Maildir.</summary>
    internal long Rereads => Interlocked.Read(ref _rereads);

    /// <summary>What the bound counts: the messages held over all mailboxes, plus one per mailbox.</summary>
    internal long Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages;
            }
        }
    }

    /// <summary>Mailboxes held.</summary>
    internal int Mailboxes
    {
        get
        {
            lock (_gate)
            {
                return _byRoot.Count;
            }
        }
    }

    /// <summary>The clock the settle rule is measured with.</summary>
    internal DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>
    /// The listing of <paramref name="root"/> if it was read from a Maildir with the same, settled, <paramref name="stamp"/>.
    /// Otherwise false, with <paramref name="previous"/> the last listing read of it (null if none is kept), for the
    /// next read to take from.
    /// </summary>
    internal bool TryGet(string root, MaildirListingStamp stamp, [NotNullWhen(true)] out MaildropListing? listing, out MaildirListingRead? previous)
    {
        lock (_gate)
        {
            if (_byRoot.TryGetValue(root, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                var read = node.Value.Read;
                if (read.Settled && read.Stamp == stamp)
                {
                    listing = read.Listing;
                    previous = null;
                    _hits++;
                    return true;
                }

                listing = null;
                previous = read;
                return false;
            }
        }

        listing = null;
        previous = null;
        return false;
    }

    /// <summary>
    /// Records a listing read from the disk (<paramref name="reused"/>: taking from the previous one), replacing the
    /// previous one. It is kept if it fits the bound; it is given out as it is only if its stamp had settled when it was
    /// read, else it only helps the next read.
    /// </summary>
    internal void Add(string root, MaildirListingRead read, bool reused)
    {
        Interlocked.Increment(ref _reads);
        if (reused)
        {
            Interlocked.Increment(ref _rereads);
        }

        var weight = Weight(read.Listing);
        var keep = weight <= _capacity;
        lock (_gate)
        {
            if (_byRoot.TryGetValue(root, out var old))
            {
                RemoveLocked(old);
            }

            if (!keep)
            {
                return;
            }

            while (_messages + weight > _capacity && _recent.Last is { } oldest)
            {
                RemoveLocked(oldest);
            }

            _byRoot[root] = _recent.AddFirst(new Entry(root, read));
            _messages += weight;
        }
    }

    private void RemoveLocked(LinkedListNode<Entry> node)
    {
        _recent.Remove(node);
        _byRoot.Remove(node.Value.Root);
        _messages -= Weight(node.Value.Read.Listing);
    }

    /// <summary>A mailbox counts one more than its messages, so that many empty mailboxes are bounded too.</summary>
    private static long Weight(MaildropListing listing) => listing.Count + 1L;

    private sealed record Entry(string Root, MaildirListingRead Read);
}
