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
/// A listing is only kept when its stamp was settled when it was read (see <see cref="MaildirListingStamp.IsSettledAt"/>),
/// and only given out while the Maildir's stamp is unchanged. Anything this process changes itself (new/ moved to
/// cur/, deletions at UPDATE) changes the stamp too, so the next login reads the Maildir again.
/// </remarks>
public sealed class MaildirListingCache
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _byRoot = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recent = new();
    private readonly long _capacity;
    private readonly TimeProvider _time;
    private long _messages;
    private long _hits;
    private long _reads;

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

    /// <summary>The listing of <paramref name="root"/> if it was read from a Maildir with the same <paramref name="stamp"/>; a stale one is dropped.</summary>
    internal bool TryGet(string root, MaildirListingStamp stamp, out MaildropListing listing)
    {
        lock (_gate)
        {
            if (_byRoot.TryGetValue(root, out var node))
            {
                if (node.Value.Stamp == stamp)
                {
                    _recent.Remove(node);
                    _recent.AddFirst(node);
                    listing = node.Value.Listing;
                    _hits++;
                    return true;
                }

                RemoveLocked(node);
            }
        }

        listing = null!;
        return false;
    }

    /// <summary>
    /// Records a listing read from the disk: kept if its <paramref name="stamp"/> had settled at
    /// <paramref name="readAt"/> (a moment taken before the stamp) and it fits the bound, else the Maildir is read
    /// again at its next login.
    /// </summary>
    internal void Add(string root, MaildirListingStamp stamp, DateTimeOffset readAt, MaildropListing listing)
    {
        Interlocked.Increment(ref _reads);
        var weight = Weight(listing);
        var keep = stamp.IsSettledAt(readAt) && weight <= _capacity;
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

            _byRoot[root] = _recent.AddFirst(new Entry(root, stamp, listing));
            _messages += weight;
        }
    }

    private void RemoveLocked(LinkedListNode<Entry> node)
    {
        _recent.Remove(node);
        _byRoot.Remove(node.Value.Root);
        _messages -= Weight(node.Value.Listing);
    }

    /// <summary>A mailbox counts one more than its messages, so that many empty mailboxes are bounded too.</summary>
    private static long Weight(MaildropListing listing) => listing.Count + 1L;

    private sealed record Entry(string Root, MaildirListingStamp Stamp, MaildropListing Listing);
}
