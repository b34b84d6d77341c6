using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// Removes what a killed deliverer left in a Maildir's tmp/: files not written to for more than 36 hours, the
/// Maildir rule that Dovecot follows too. A younger file is never touched: another deliverer may be writing it.
/// </summary>
/// <remarks>
/// It runs when a Maildir is opened or delivered to, at most once per Maildir per <see cref="Interval"/> in a process,
/// so a login costs one dictionary look-up, not a directory scan; the scan itself reads tmp/, which is normally empty.
/// </remarks>
internal static partial class MaildirTmpCleanup
{
    /// <summary>A tmp/ file whose last write is more than this long ago is abandoned.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(36);

    /// <summary>A Maildir's tmp/ is scanned at most this often by one process.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    // Past this many Maildirs remembered, those not scanned within the interval are forgotten, so the table stays
    // bounded by the Maildirs opened in one interval.
    private const int PruneAbove = 10_000;

    private static readonly ConcurrentDictionary<string, DateTimeOffset> s_lastRun = new(StringComparer.Ordinal);

    /// <summary>Cleans <paramref name="root"/>'s tmp/ if this process has not done so within <see cref="Interval"/>.</summary>
    /// <returns>The number of files removed (0 when not due).</returns>
    public static int RunIfDue(string root, TimeProvider time, ILogger? logger = null)
    {
        var now = time.GetUtcNow();
        if (s_lastRun.TryGetValue(root, out var last) && now - last < Interval)
        {
            return 0;
        }

        s_lastRun[root] = now;
        if (s_lastRun.Count > PruneAbove)
        {
            foreach (var (path, at) in s_lastRun)
            {
                if (now - at >= Interval)
                {
                    s_lastRun.TryRemove(new KeyValuePair<string, DateTimeOffset>(path, at));
                }
            }
        }

        return Run(root, now, logger);
    }

    /// <summary>Removes the files of <paramref name="root"/>/tmp last written more than <see cref="MaxAge"/> before <paramref name="now"/>.</summary>
    public static int Run(string root, DateTimeOffset now, ILogger? logger = null)
    {
        var tmp = Path.Combine(root, MaildirDirectory.Tmp);
        var removed = 0;
        try
        {
            foreach (var file in new DirectoryInfo(tmp).EnumerateFiles())
            {
                if (now - file.LastWriteTimeUtc <= MaxAge)
                {
                    continue;
                }

                try
                {
                    file.Delete();
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    if (logger is not null)
                    {
                        LogNotRemoved(logger, file.FullName, e);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No tmp/ (yet), or not readable: nothing to clean now; the next open or delivery tries again.
            if (logger is not null)
            {
                LogNotScanned(logger, tmp, e);
            }
        }

        if (removed > 0 && logger is not null)
        {
            LogRemoved(logger, removed, tmp);
        }

        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} file(s) older than 36 hours from {Path}: left by an interrupted delivery")]
    private static partial void LogRemoved(ILogger logger, int count, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove the stale file {Path}")]
    private static partial void LogNotRemoved(ILogger logger, string path, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not scan {Path} for stale files")]
    private static partial void LogNotScanned(ILogger logger, string path, Exception exception);
}
