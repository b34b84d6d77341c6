namespace Pop3.Kestrel.Maildrops;

/// <summary>How <see cref="IMaildrop.OpenAsync"/> went.</summary>
public enum MaildropOpenStatus
{
    /// <summary>Open, and the lock is ours until disposal.</summary>
    Opened,

    /// <summary>Another session holds the lock: the client gets <c>-ERR [IN-USE]</c>.</summary>
    InUse,

    /// <summary>The store cannot be reached now: the client gets <c>-ERR [SYS/TEMP]</c>.</summary>
    Unavailable,

    /// <summary>
    /// The store refused this user's credentials although the server's own check passed (an upstream server that
    /// refused the password, a grant that was revoked): the client gets <c>-ERR [AUTH]</c>.
    /// </summary>
    Refused,
}
