using System.IO.Enumeration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// A Maildir as a POP3 maildrop: the messages in cur/ (and new/, which is moved to cur/ on open), listed
/// in Dovecot's order (its UIDs, then oldest first), each deleted at UPDATE by unlinking its file. One instance per session.
/// </summary>
/// <remarks>
/// <para>
/// Locking: <see cref="MaildirLocks"/> (one per process) locks the Maildir for the session, against sessions of
/// this process and of other server processes alike; the kernel drops the lock if the process dies. Delivery
/// takes no lock: Maildir delivery is atomic by rename, and a session works on the snapshot it listed.
/// </para>
/// <para>
/// Ids and sizes: the UIDL is Dovecot's when the Maildir has a <c>dovecot-uidlist</c> listing the file, otherwise
/// the file's unique name without flags and size fields. The size comes from the name's <c>W=</c> field (trusted,
/// never checked against the file), then from the uidlist's <c>W</c> extension, then from the
/// <c>pop3-kestrel.sizes</c> cache, and only then by reading the message once.
/// </para>
/// </remarks>
internal sealed partial class MaildirMaildrop(IOptions<MaildirOptions> options, MaildirLocks locks, ILogger<MaildirMaildrop> logger) : IMaildrop
{
    /// <summary>
    /// The lock file in the Maildir root of <see cref="MaildirLocking.PerMaildir"/> locking. It is never deleted:
    /// deleting a lock file races with the next locker.
    /// </summary>
    public const string LockFileName = "pop3-kestrel.lock";

    // Owned only when made without a MaildirLocks, so a one-off maildrop (a CLI command) releases its lock file.
    private readonly MaildirLocks? _ownLocks;

    private static readonly EnumerationOptions s_enumeration = new()
    {
        // Dot-files are skipped by name below; Unix "hidden" means exactly that, and other attributes mean nothing here.
        AttributesToSkip = 0,
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
    };

    private readonly MaildirListingCache? _listingCache;
    private IDisposable? _lock;
    private string? _root;
    private IReadOnlyList<MaildropMessage>? _snapshot;
    private bool _disposed;

    /// <summary>A maildrop with locks of its own (from <paramref name="options"/>): for one-off use outside a server.</summary>
    public MaildirMaildrop(IOptions<MaildirOptions> options, ILogger<MaildirMaildrop> logger)
        : this(options, OwnLocks(options, out var own), logger)
    {
        _ownLocks = own;
    }

    /// <summary>
    /// A maildrop that takes its locks from <paramref name="locks"/> and keeps the listing of each Maildir in
    /// <paramref name="listingCache"/> (both one for the process)
    /// between logins, so an unchanged Maildir is not read again. The host uses this one.
    /// </summary>
    [ActivatorUtilitiesConstructor]
    public MaildirMaildrop(IOptions<MaildirOptions> options, MaildirLocks locks, ILogger<MaildirMaildrop> logger, MaildirListingCache listingCache)
        : this(options, locks, logger)
    {
        ArgumentNullException.ThrowIfNull(listingCache);
        _listingCache = listingCache;
    }

    /// <summary>
    /// Opens the Maildir of <paramref name="mailbox"/> (the user name), creating it empty if it does not exist,
    /// and moves what is in new/ to cur/.
    /// </summary>
    /// <returns>
    /// <see cref="MaildropOpenStatus.InUse"/> if another session holds the lock (this never waits);
    /// <see cref="MaildropOpenStatus.Unavailable"/> if the user name is not safe as a single path segment
    /// (empty, longer than 255, starting with '.', containing "..", '/', '\', NUL or a control character), or if
    /// the Maildir cannot be created or opened. Such names are refused, not escaped, so no two spellings share a mailbox.
    /// </returns>
    public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(mailbox);
        if (_lock is not null)
        {
            throw new InvalidOperationException("The maildrop is already open.");
        }

        var root = MaildirUserPath.Resolve(options.Value.Path, mailbox);
        if (root is null)
        {
            LogUnsafeUser(logger, mailbox.Length);
            return ValueTask.FromResult(MaildropOpenStatus.Unavailable);
        }

        IDisposable? lockFile;
        try
        {
            MaildirDirectory.Ensure(root);
            lockFile = locks.TryAcquire(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogOpenFailed(logger, root, e);
            return ValueTask.FromResult(MaildropOpenStatus.Unavailable);
        }

        if (lockFile is null)
        {
            LogInUse(logger, root);
            return ValueTask.FromResult(MaildropOpenStatus.InUse);
        }

        MaildirTmpCleanup.RunIfDue(root, TimeProvider.System, logger);
        try
        {
            var moved = MoveNewToCur(root);
            LogOpened(logger, root, moved);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            lockFile.Dispose();
            LogOpenFailed(logger, root, e);
            return ValueTask.FromResult(MaildropOpenStatus.Unavailable);
        }

        _lock = lockFile;
        _root = root;
        return ValueTask.FromResult(MaildropOpenStatus.Opened);
    }

    /// <summary>
    /// The messages in cur/ in the order Dovecot numbers them (<see cref="MaildirListingOrder"/>): those the
    /// <c>dovecot-uidlist</c> lists by their UID, then the others oldest delivery first (the leading number of the file
    /// name, then the microseconds of its <c>M</c> field, then the name; names without a leading number count as 0). Taken once: later calls return the same snapshot. With a
    /// <see cref="MaildirListingCache"/>, the listing of an earlier login is reused while the Maildir's stamp
    /// (<see cref="MaildirListingStamp"/>) is unchanged.
    /// </summary>
    public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var root = EnsureOpen();
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        if (_listingCache is null)
        {
            _snapshot = (await MaildirListingReader.ReadAsync(root, default, DateTimeOffset.MinValue, previous: null, logger, cancellationToken)).Listing;
            return _snapshot;
        }

        // The clock is read before the stamp and the stamp before the directory, so that a change racing with the
        // read either shows in the listing or makes the stamp unsettled or different (see IsSettledAt).
        var readAt = _listingCache.Now;
        var stamp = MaildirListingStamp.Read(root);
        if (_listingCache.TryGet(root, stamp, out var cached, out var previous))
        {
            LogListedFromCache(logger, cached.Count);
            _snapshot = cached;
            return cached;
        }

        // A changed Maildir: what the previous listing knows about the names still there is taken from it.
        var read = await MaildirListingReader.ReadAsync(root, stamp, readAt, previous, logger, cancellationToken);
        _listingCache.Add(root, read, reused: previous is not null);
        var listing = read.Listing;
        _snapshot = listing;
        return listing;
    }

    /// <summary>
    /// Opens the message's file. If another client changed its flags (renamed it) the file is found by its
    /// unique name; if it was deleted, throws <see cref="FileNotFoundException"/>.
    /// </summary>
    public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        var root = EnsureOpen();
        var key = KeyOf(message);
        var cur = Path.Combine(root, MaildirDirectory.Cur);
        try
        {
            return ValueTask.FromResult<Stream>(MaildirMessageStream.Open(Path.Combine(cur, key.FileName)));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            var renamed = FindRenamed(cur, key.FileName);
            if (renamed is null)
            {
                throw new FileNotFoundException("The message is no longer in the Maildir.", key.FileName, e);
            }

            return ValueTask.FromResult<Stream>(MaildirMessageStream.Open(renamed));
        }
    }

    /// <summary>
    /// Unlinks the files of <paramref name="deleted"/> (one already gone is skipped), then syncs cur/ once so the
    /// deletions survive a crash. Tries every file before throwing an <see cref="IOException"/> for those that failed.
    /// </summary>
    public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        var root = EnsureOpen();
        if (deleted.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        var cur = Path.Combine(root, MaildirDirectory.Cur);
        var failures = new List<Exception>();
        var removed = 0;
        foreach (var message in deleted)
        {
            var key = KeyOf(message);
            try
            {
                var path = Path.Combine(cur, key.FileName);
                if (!File.Exists(path))
                {
                    path = FindRenamed(cur, key.FileName);
                    if (path is null)
                    {
                        continue;
                    }
                }

                File.Delete(path);
                removed++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogDeleteFailed(logger, key.FileName, e);
                failures.Add(e);
            }
        }

        try
        {
            MaildirDirectory.Sync(cur);
        }
        catch (IOException e)
        {
            failures.Add(e);
        }

        LogCommitted(logger, removed, deleted.Count);
        if (failures.Count > 0)
        {
            throw new IOException(
                $"Could not commit the deletions in '{root}': {failures.Count} error(s).",
                failures.Count == 1 ? failures[0] : new AggregateException(failures));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the lock. Nothing else is changed.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _lock?.Dispose();
        _lock = null;
        _ownLocks?.Dispose();
        return ValueTask.CompletedTask;
    }

    private string EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _root ?? throw new InvalidOperationException("The maildrop is not open.");
    }

    private static MaildirLocks OwnLocks(IOptions<MaildirOptions> options, out MaildirLocks locks) =>
        locks = new MaildirLocks(options);

    private static MaildirMessageKey KeyOf(MaildropMessage message) =>
        message.Key as MaildirMessageKey ?? throw new ArgumentException("The message was not listed by a Maildir maildrop.", nameof(message));

    internal static bool IsMessage(ref FileSystemEntry entry) =>
        !entry.IsDirectory && !entry.FileName.StartsWith('.');

    /// <summary>Does what a Maildir reader does on open: claims new mail by moving it to cur/ with empty flags.</summary>
    private int MoveNewToCur(string root)
    {
        var newDirectory = Path.Combine(root, MaildirDirectory.New);
        var cur = Path.Combine(root, MaildirDirectory.Cur);
        var names = new FileSystemEnumerable<string>(
            newDirectory,
            static (ref FileSystemEntry entry) => entry.FileName.ToString(),
            s_enumeration)
        {
            ShouldIncludePredicate = static (ref FileSystemEntry entry) => IsMessage(ref entry),
        };

        var moved = 0;
        foreach (var name in names)
        {
            var target = name.Contains(MaildirFileName.InfoSeparator) ? name : name + MaildirFileName.EmptyInfo;
            try
            {
                File.Move(Path.Combine(newDirectory, name), Path.Combine(cur, target), overwrite: false);
                moved++;
            }
            catch (FileNotFoundException)
            {
                // Another reader (an IMAP server on the same Maildir) claimed it first.
            }
            catch (IOException) when (File.Exists(Path.Combine(cur, target)))
            {
                LogNotMoved(logger, name);
            }
        }

        return moved;
    }

    /// <summary>Unbuffered: the message writer reads 64 KiB chunks, so a FileStream buffer would only add a copy.</summary>
    internal static FileStream OpenForReading(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0,
            FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>The current name of a message whose flags another client changed, or null if it is gone.</summary>
    private static string? FindRenamed(string cur, string fileName)
    {
        var baseName = MaildirFileName.Base(fileName).ToString();
        try
        {
            var matches = new FileSystemEnumerable<string>(
                cur,
                static (ref FileSystemEntry entry) => entry.ToFullPath(),
                s_enumeration)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                    !entry.IsDirectory && MaildirFileName.Base(entry.FileName).SequenceEqual(baseName),
            };
            return matches.FirstOrDefault();
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Opened Maildir {Path}, {Moved} new message(s) moved to cur/")]
    private static partial void LogOpened(ILogger logger, string path, int moved);

    [LoggerMessage(Level = LogLevel.Information, Message = "Maildir {Path} is locked by another session")]
    private static partial void LogInUse(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a user name of {Length} characters that is not safe as a directory name")]
    private static partial void LogUnsafeUser(ILogger logger, int length);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not open Maildir {Path}")]
    private static partial void LogOpenFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left {FileName} in new/: cur/ already has a file of that name")]
    private static partial void LogNotMoved(ILogger logger, string fileName);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Count} message(s) from the listing cache")]
    private static partial void LogListedFromCache(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not delete {FileName}")]
    private static partial void LogDeleteFailed(ILogger logger, string fileName, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Removed} of {Requested} message(s)")]
    private static partial void LogCommitted(ILogger logger, int removed, int requested);
}

/// <summary>What <see cref="MaildirMaildrop"/> keeps in <see cref="MaildropMessage.Key"/>: the file name in cur/ at listing time.</summary>
internal sealed record MaildirMessageKey(string FileName);
