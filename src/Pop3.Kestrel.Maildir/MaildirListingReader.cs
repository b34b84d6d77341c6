using System.IO.Enumeration;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// Reads the listing of a Maildir's cur/: one pass over the directory, then <c>dovecot-uidlist</c> and the size index
/// for the names that need them, measuring what none of them knows (and updating the index).
/// </summary>
/// <remarks>
/// Given the previous listing of the same Maildir (<see cref="MaildirListingRead"/>, whatever its stamp), a file name it
/// listed keeps its message (UIDL, size) and its place in the order without being parsed, looked up or sorted again;
/// only names it did not list are worked out, sorted among themselves and merged in. Its parsed uidlist is reused
/// while the file provably did not change (a changed uidlist may reorder everything, so then the read is one from
/// scratch), and the size index is read only if a name needs it. Which files are listed
/// always comes from the directory pass, so the result is the one a read without a previous listing gives.
/// </remarks>
internal static partial class MaildirListingReader
{
    private static readonly EnumerationOptions s_enumeration = new()
    {
        // Dot-files are skipped by name; Unix "hidden" means exactly that, and other attributes mean nothing here.
        AttributesToSkip = 0,
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
    };

    /// <summary>
    /// Lists cur/ of <paramref name="root"/>. <paramref name="stamp"/> is the Maildir's stamp, read at or after
    /// <paramref name="readAt"/> and before this call; <paramref name="previous"/> is an earlier listing to take what
    /// still holds from, or null for a read from scratch.
    /// </summary>
    public static async ValueTask<MaildirListingRead> ReadAsync(
        string root, MaildirListingStamp stamp, DateTimeOffset readAt, MaildirListingRead? previous, ILogger logger, CancellationToken cancellationToken)
    {
        // The previous parse of the uidlist stands for the file only if the file's stamp is the same and was settled
        // when that parse was made: a rewrite in the same tick as the read could have kept the mtime and length.
        var uidListSame = previous is not null
            && previous.UidListSettled
            && previous.Stamp.UidList == stamp.UidList
            && previous.Stamp.UidListLength == stamp.UidListLength;
        var uidList = uidListSame ? previous!.UidList : ReadUidList(root, logger);

        // A uidlist that changed may have changed the order of names listed before, so it is worked out again for all:
        // the previous listing is then of no use (its messages are only reused under the same uidlist anyway).
        if (previous is not null && !uidListSame && (uidList is not null || previous.UidList is not null))
        {
            previous = null;
        }

        var files = Enumerate(root, previous, uidList);
        var order = Order(files, previous);

        // The index is read only when a name needs it (from scratch, always: its entry count decides whether to rewrite it).
        var index = previous is null ? MaildirSizeIndex.Read(root) : null;
        var messages = new List<MaildropMessage>(order.Count);
        var positions = new Dictionary<string, int>(order.Count, StringComparer.Ordinal);
        var lengths = new long[order.Count];
        var ranks = uidList is null ? null : new ulong[order.Count];
        MaildirIndexedSize[]? indexed = null;
        var measured = 0;
        var reused = 0;
        foreach (var file in order)
        {
            MaildropMessage message;
            MaildirIndexedSize entry = default;
            if (file.Position >= 0 && uidListSame && file.Length == previous!.Lengths[file.Position])
            {
                message = previous.Listing[file.Position];
                if (previous.Indexed is { } previousIndexed)
                {
                    entry = previousIndexed[file.Position];
                }

                reused++;
            }
            else
            {
                var id = file.Id ?? MaildirFileName.Id(file.Name);
                var known = uidList is not null && uidList.TryGet(id, out var dovecot) ? dovecot : (DovecotUidList.Entry?)null;
                var size = MaildirFileName.VirtualSize(file.Name) ?? known?.Size;
                if (size is null)
                {
                    index ??= MaildirSizeIndex.Read(root);
                    if (index.TryGetValue(id, out var cached) && cached.FileSize == file.Length)
                    {
                        entry = new MaildirIndexedSize(id, cached);
                    }
                    else
                    {
                        var fresh = await MeasureAsync(Path.Combine(root, MaildirDirectory.Cur, file.Name), cancellationToken);
                        if (fresh is null)
                        {
                            // Deleted by another client between the listing and now: it is simply not in the snapshot.
                            continue;
                        }

                        entry = new MaildirIndexedSize(id, fresh.Value);
                        measured++;
                    }

                    size = entry.Entry.Pop3Size;
                }

                message = new MaildropMessage(known?.Uidl ?? id, size, new MaildirMessageKey(file.Name));
            }

            if (entry.Id is not null)
            {
                indexed ??= new MaildirIndexedSize[order.Count];
                indexed[messages.Count] = entry;
            }

            positions.Add(file.Name, messages.Count);
            lengths[messages.Count] = file.Length;
            if (ranks is not null)
            {
                ranks[messages.Count] = file.Key.Rank;
            }

            messages.Add(message);
        }

        // The new index holds only what was used, so it shrinks as messages are deleted.
        var nextIndex = new Dictionary<string, MaildirSizeIndex.Entry>(StringComparer.Ordinal);
        if (indexed is not null)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (indexed[i].Id is { } id)
                {
                    nextIndex[id] = indexed[i].Entry;
                }
            }
        }

        var indexCount = index?.Count
            ?? (previous!.Stamp.Sizes == stamp.Sizes && previous.Stamp.SizesLength == stamp.SizesLength
                ? previous.IndexCount
                : MaildirSizeIndex.Read(root).Count);
        var written = false;
        if (measured > 0 || nextIndex.Count != indexCount)
        {
            try
            {
                MaildirSizeIndex.Write(root, nextIndex);
                written = true;
                indexCount = nextIndex.Count;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Only a cache: the next login measures again.
                LogIndexWriteFailed(logger, root, e);
            }
        }

        LogListed(logger, messages.Count, measured, reused);

        // Every size is known here, so the framework takes this listing as it is, for this login and the cached ones.
        return new MaildirListingRead(
            new MaildropListing(messages),
            positions,
            messages.Count == lengths.Length ? lengths : lengths[..messages.Count],
            indexed is null || messages.Count == indexed.Length ? indexed : indexed[..messages.Count],
            ranks is null || messages.Count == ranks.Length ? ranks : ranks[..messages.Count],
            uidList,
            written ? stamp.WithSizesOf(root) : stamp,
            stamp.IsSettledAt(readAt),
            uidListSame ? previous!.UidListSettled : stamp.IsUidListSettledAt(readAt),
            indexCount);
    }

    /// <summary>
    /// One pass over cur/. A name the previous listing knows is not parsed; a name that carries W= needs nothing else.
    /// Only the others are stat'ed (for the size index's check), because a stat per file is what makes a big Maildir
    /// slow to open. A new name is given its place in the order (looked up in the uidlist, if there is one).
    /// </summary>
    private static List<Found> Enumerate(string root, MaildirListingRead? previous, DovecotUidList? uidList)
    {
        var known = previous?.Positions.GetAlternateLookup<ReadOnlySpan<char>>();
        var lengths = previous?.Lengths;
        var ranks = previous?.Ranks;
        var files = new List<Found>((previous?.Listing.Count ?? 0) + 64);
        files.AddRange(new FileSystemEnumerable<Found>(
            Path.Combine(root, MaildirDirectory.Cur),
            (ref FileSystemEntry entry) =>
            {
                var name = entry.FileName;
                if (known is { } lookup && lookup.TryGetValue(name, out var knownName, out var position))
                {
                    // Length is -1 exactly for the names with W=, whose length nothing needs.
                    // Only the rank of a known name is kept: Order works out the rest if a new name must be merged before it.
                    return new Found(
                        position,
                        lengths![position] >= 0 ? entry.Length : -1,
                        new MaildirListingOrder.Key(ranks?[position] ?? MaildirListingOrder.Unlisted, 0, 0, knownName),
                        null);
                }

                var fileName = name.ToString();
                var length = MaildirFileName.VirtualSize(name) is null ? entry.Length : -1;
                if (uidList is null)
                {
                    return new Found(-1, length, MaildirListingOrder.KeyOf(fileName, MaildirListingOrder.Unlisted), null);
                }

                var id = MaildirFileName.Id(fileName);
                var rank = uidList.TryGet(id, out var dovecot) ? MaildirListingOrder.RankOf(dovecot) : MaildirListingOrder.Unlisted;
                return new Found(-1, length, MaildirListingOrder.KeyOf(fileName, rank), id);
            },
            s_enumeration)
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) => MaildirMaildrop.IsMessage(ref entry),
        });
        return files;
    }

    /// <summary>
    /// The listing order (<see cref="MaildirListingOrder"/>). Names the previous listing had keep its order, which is
    /// this one; the others are sorted and merged in, in one pass over the rest.
    /// </summary>
    private static List<Found> Order(List<Found> files, MaildirListingRead? previous)
    {
        var added = new List<Found>();
        int[]? slots = null;
        if (previous is not null)
        {
            slots = new int[previous.Listing.Count];
            Array.Fill(slots, -1);
        }

        for (var i = 0; i < files.Count; i++)
        {
            if (files[i].Position >= 0)
            {
                slots![files[i].Position] = i;
            }
            else
            {
                added.Add(files[i]);
            }
        }

        added.Sort(static (a, b) => MaildirListingOrder.Compare(a.Key, b.Key));
        if (slots is null)
        {
            return added;
        }

        var order = new List<Found>(files.Count);
        var next = 0;

        // New mail is usually delivered after all the rest: then the known names need no comparing at all.
        var last = Array.FindLastIndex(slots, static slot => slot >= 0);
        if (last >= 0 && added.Count > 0 && MaildirListingOrder.Compare(added[0].Key, KeptKey(files[slots[last]])) > 0)
        {
            foreach (var slot in slots)
            {
                if (slot >= 0)
                {
                    order.Add(files[slot]);
                }
            }

            order.AddRange(added);
            return order;
        }

        foreach (var slot in slots)
        {
            if (slot < 0)
            {
                continue;
            }

            var kept = files[slot];
            if (next < added.Count)
            {
                var keptKey = KeptKey(kept);
                while (next < added.Count && MaildirListingOrder.Compare(added[next].Key, keptKey) < 0)
                {
                    order.Add(added[next++]);
                }
            }

            order.Add(kept);
        }

        while (next < added.Count)
        {
            order.Add(added[next++]);
        }

        return order;
    }

    private static MaildirListingOrder.Key KeptKey(Found kept) => MaildirListingOrder.KeyOf(kept.Name, kept.Key.Rank);

    private static DovecotUidList? ReadUidList(string root, ILogger logger)
    {
        var uidList = DovecotUidList.TryRead(root);
        if (uidList is null && File.Exists(Path.Combine(root, DovecotUidList.FileName)))
        {
            LogUidListIgnored(logger, root);
        }

        return uidList;
    }

    private static async ValueTask<MaildirSizeIndex.Entry?> MeasureAsync(string path, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = MaildirMaildrop.OpenForReading(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        await using (stream)
        {
            // The length of the file actually measured, so a file rewritten since the listing is cached correctly.
            var fileSize = stream.Length;
            return new MaildirSizeIndex.Entry(fileSize, await MaildropMessage.MeasureSizeAsync(stream, cancellationToken));
        }
    }

    /// <summary>
    /// A file of cur/: its place in the previous listing (-1 if new), its length (-1 if not needed), its name and place
    /// in the order (only the rank for a known name), and its id if working out the rank needed it.
    /// </summary>
    private readonly record struct Found(int Position, long Length, MaildirListingOrder.Key Key, string? Id)
    {
        public string Name => Key.Name;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring the dovecot-uidlist in {Path}: unknown format; UIDLs are the file names")]
    private static partial void LogUidListIgnored(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Count} message(s), {Measured} measured, {Reused} as the previous listing had them")]
    private static partial void LogListed(ILogger logger, int count, int measured, int reused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the size index of {Path}")]
    private static partial void LogIndexWriteFailed(ILogger logger, string path, Exception exception);
}
