namespace Pop3.Kestrel.Maildir;

/// <summary>
/// What a cached listing of a Maildir was read from: the modification times of cur/ and new/ (a rename or unlink in
/// a directory changes its mtime), and the modification time and length of <c>dovecot-uidlist</c> and of the size
/// index. Equal stamps mean the listing still holds, provided the stamp was settled when it was read
/// (<see cref="IsSettledAt"/>).
/// </summary>
/// <remarks>Times are in ticks (100 ns) as <c>stat</c> gives them with nanoseconds; a missing file has length -1.</remarks>
internal readonly record struct MaildirListingStamp(long Cur, long New, long UidList, long UidListLength, long Sizes, long SizesLength)
{
    /// <summary>
    /// How long a change must be in the past before an mtime can be trusted to show the next one. Linux stamps a
    /// directory from a clock that advances a kernel tick (1 to 10 ms) at a time, so a change in the same tick as the
    /// listing leaves the mtime as it was; a second is Dovecot's and git's margin, wide enough for coarser file systems.
    /// </summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);

    /// <summary>Four <c>stat</c> calls.</summary>
    public static MaildirListingStamp Read(string root)
    {
        var uidList = new FileInfo(Path.Combine(root, DovecotUidList.FileName));
        var sizes = new FileInfo(Path.Combine(root, MaildirSizeIndex.FileName));
        return new MaildirListingStamp(
            Directory.GetLastWriteTimeUtc(Path.Combine(root, MaildirDirectory.Cur)).Ticks,
            Directory.GetLastWriteTimeUtc(Path.Combine(root, MaildirDirectory.New)).Ticks,
            uidList.Exists ? uidList.LastWriteTimeUtc.Ticks : 0,
            uidList.Exists ? uidList.Length : -1,
            sizes.Exists ? sizes.LastWriteTimeUtc.Ticks : 0,
            sizes.Exists ? sizes.Length : -1);
    }

    /// <summary>This stamp with the size index as it is now: after this process rewrote it under the mailbox lock.</summary>
    public MaildirListingStamp WithSizesOf(string root)
    {
        var sizes = new FileInfo(Path.Combine(root, MaildirSizeIndex.FileName));
        return this with { Sizes = sizes.Exists ? sizes.LastWriteTimeUtc.Ticks : 0, SizesLength = sizes.Exists ? sizes.Length : -1 };
    }

    /// <summary>
    /// Was every change that another program can make already <see cref="Settle"/> old at <paramref name="readAt"/>, a
    /// moment taken before this stamp? Then any later change falls in a later tick and shows. The size index is left
    /// out: only the holder of the mailbox lock writes it, and its entries depend only on the files they describe.
    /// </summary>
    public bool IsSettledAt(DateTimeOffset readAt)
    {
        var newest = Math.Max(Cur, Math.Max(New, UidList));
        return readAt.UtcTicks - newest >= Settle.Ticks;
    }

    /// <summary>
    /// <see cref="IsSettledAt"/> for <c>dovecot-uidlist</c> alone: then a rewrite after <paramref name="readAt"/> shows in
    /// its mtime, and a uidlist parsed after this stamp was read is current for as long as the file's mtime and length stay.
    /// </summary>
    public bool IsUidListSettledAt(DateTimeOffset readAt) => readAt.UtcTicks - UidList >= Settle.Ticks;
}
