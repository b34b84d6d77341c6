namespace Pop3.Kestrel.Maildir;

/// <summary>Where the Maildir of each user lives. Bound from the configuration section <c>Pop3:Maildir</c>.</summary>
public sealed class MaildirOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Maildir";

    /// <summary>The placeholder in <see cref="Path"/> that is replaced by the user name.</summary>
    public const string UserPlaceholder = "{user}";

    /// <summary>
    /// The Maildir of a user: a path template containing <c>{user}</c>, for example
    /// <c>/var/mail/{user}/Maildir</c>. A relative path is relative to the current directory.
    /// </summary>
    /// <remarks>
    /// The user name is substituted only when it is safe as a single path segment (see
    /// <see cref="MaildirMaildrop.OpenAsync"/>); the rest of the template is trusted configuration.
    /// </remarks>
    public string Path { get; set; } = "data/mail/{user}/Maildir";

    /// <summary>
    /// The most messages whose listings are kept in memory between logins, over all Maildirs (each Maildir counting
    /// one more than its messages); the least recently used Maildirs are dropped first. 0 turns the cache off, so
    /// every login reads cur/ again. A Maildir with more messages than this is never kept.
    /// </summary>
    public int ListingCacheMessages { get; set; } = DefaultListingCacheMessages;

    /// <summary>The default of <see cref="ListingCacheMessages"/>.</summary>
    public const int DefaultListingCacheMessages = 500_000;

    /// <summary>How sessions lock a Maildir against each other (see <see cref="MaildirLocking"/>).</summary>
    public MaildirLocking Locking { get; set; } = MaildirLocking.Auto;

    /// <summary>
    /// The one lock file of <see cref="MaildirLocking.SharedFile"/> locking. Every server process serving the same
    /// Maildirs must name the same file. Empty: <c>.pop3-kestrel.locks</c> in the directory of <see cref="Path"/>
    /// before its first placeholder (for <c>/var/mail/{user}/Maildir</c>, <c>/var/mail/.pop3-kestrel.locks</c>).
    /// </summary>
    public string? LockFile { get; set; }

    /// <summary>The full path of the Maildir of <paramref name="user"/>, or null if the name is not safe as a directory name.</summary>
    public string? MaildirOf(string user) => MaildirUserPath.Resolve(Path, user);
}
