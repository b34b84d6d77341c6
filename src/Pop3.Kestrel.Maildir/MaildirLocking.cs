namespace Pop3.Kestrel.Maildir;

/// <summary>How <see cref="MaildirMaildrop"/> keeps two sessions off one Maildir.</summary>
public enum MaildirLocking
{
    /// <summary><see cref="SharedFile"/> on Linux x64 and arm64, <see cref="PerMaildir"/> elsewhere.</summary>
    Auto,

    /// <summary>
    /// A byte-range lock (Linux open-file-description lock) per Maildir on one lock file the process holds open:
    /// no file descriptor per session.
    /// </summary>
    SharedFile,

    /// <summary><c>pop3-kestrel.lock</c> in each Maildir held open with flock for the session: one file descriptor per session.</summary>
    PerMaildir,

    /// <summary>
    /// Both locks, for a rolling upgrade from a version that only knows <see cref="PerMaildir"/>: it excludes old
    /// servers and <see cref="SharedFile"/> servers alike, at the per-session file descriptor of <see cref="PerMaildir"/>.
    /// </summary>
    Both,
}
