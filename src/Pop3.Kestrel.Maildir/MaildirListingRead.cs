using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// One listing of a Maildir's cur/, with what the next read of the same Maildir may take from it instead of working it
/// out again once the Maildir has changed (<see cref="MaildirListingReader"/>). Immutable: the cache hands it to any
/// number of sessions.
/// </summary>
/// <remarks>
/// Everything reused is either a function of the file name alone (the id, the <c>W=</c> size, the place in the
/// order), or is checked again before it is reused: a size measured from the file holds while the file keeps its
/// length (the size index's own rule), and what came from <c>dovecot-uidlist</c> holds while the uidlist's mtime and
/// length are those of <see cref="Stamp"/> and were settled when it was read (<see cref="UidListSettled"/>).
/// </remarks>
internal sealed class MaildirListingRead
{
    internal MaildirListingRead(
        MaildropListing listing,
        Dictionary<string, int> positions,
        long[] lengths,
        MaildirIndexedSize[]? indexed,
        ulong[]? ranks,
        DovecotUidList? uidList,
        MaildirListingStamp stamp,
        bool settled,
        bool uidListSettled,
        int indexCount)
    {
        Listing = listing;
        Positions = positions;
        Lengths = lengths;
        Indexed = indexed;
        Ranks = ranks;
        UidList = uidList;
        Stamp = stamp;
        Settled = settled;
        UidListSettled = uidListSettled;
        IndexCount = indexCount;
    }

    /// <summary>The listing served.</summary>
    public MaildropListing Listing { get; }

    /// <summary>Each listed file name in cur/ and its place (0-based) in <see cref="Listing"/>.</summary>
    public Dictionary<string, int> Positions { get; }

    /// <summary>
    /// Per message, the file length the listing was made with if it was needed to trust the size (a name without
    /// <c>W=</c>), else -1.
    /// </summary>
    public long[] Lengths { get; }

    /// <summary>Per message, its entry in the size index when its size came from there (or was measured); null when none did.</summary>
    public MaildirIndexedSize[]? Indexed { get; }

    /// <summary>
    /// Per message, its rank in the order (<see cref="MaildirListingOrder.RankOf"/>), which came from <see cref="UidList"/>;
    /// null when there was no uidlist, so that every rank is <see cref="MaildirListingOrder.Unlisted"/>.
    /// </summary>
    public ulong[]? Ranks { get; }

    /// <summary>The parsed <c>dovecot-uidlist</c> the listing used (null if there was none or it was not understood).</summary>
    public DovecotUidList? UidList { get; }

    /// <summary>The stamp read before the listing (with the size index as this read left it).</summary>
    public MaildirListingStamp Stamp { get; }

    /// <summary>Was <see cref="Stamp"/> settled when it was read? Only then may an equal stamp serve <see cref="Listing"/> as it is.</summary>
    public bool Settled { get; }

    /// <summary>Was the uidlist's mtime settled when it was read? Only then does an equal mtime and length prove <see cref="UidList"/> current.</summary>
    public bool UidListSettled { get; }

    /// <summary>How many entries the size index on disk holds as of <see cref="Stamp"/>.</summary>
    public int IndexCount { get; }
}

/// <summary>A message's entry in the size index: its id (the index's key) and the file and POP3 sizes; a null id means none.</summary>
internal readonly record struct MaildirIndexedSize(string? Id, MaildirSizeIndex.Entry Entry);
