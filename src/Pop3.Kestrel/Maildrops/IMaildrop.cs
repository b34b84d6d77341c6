namespace Pop3.Kestrel.Maildrops;

/// <summary>
/// A mailbox backend. One instance serves one session (register it as scoped): it is opened once the
/// user is authenticated, lists a snapshot, streams messages, commits deletions once at UPDATE, and
/// releases its lock when disposed, however the session ended.
/// </summary>
/// <remarks>
/// The framework owns the protocol: dot-stuffing, CRLF sizes, TOP and the validation of unique ids.
/// A backend hands out raw message bytes and never needs to know POP3.
/// </remarks>
public interface IMaildrop : IAsyncDisposable
{
    /// <summary>
    /// Opens the mailbox <paramref name="mailbox"/> and takes its lock (RFC 1939 §8). Returns
    /// <see cref="MaildropOpenStatus.InUse"/> when another session holds the lock. May be called again
    /// on the same instance after a failed open.
    /// </summary>
    ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken);

    /// <summary>
    /// The messages of the open mailbox, in the order they are numbered, as a snapshot that later
    /// deliveries do not change. Should not read message bodies when the sizes are known.
    /// </summary>
    ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Opens one listed message as a stream of its raw stored bytes.</summary>
    ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Removes <paramref name="deleted"/>, all at once, at UPDATE. Must not remove anything else, and a
    /// message already gone is not an error. Throws if the deletions could not be committed.
    /// </summary>
    ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken);

    /// <summary>
    /// Why the last <see cref="OpenAsync"/> did not open, as the client may read it after the response code (for
    /// <see cref="MaildropOpenStatus.Refused"/> or <see cref="MaildropOpenStatus.Unavailable"/>); null for the standard
    /// text. The server sends only printable ASCII of it, cut to one short line. Never put secrets in it.
    /// </summary>
    string? OpenFailureText => null;
}

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

/// <summary>One message as a backend lists it.</summary>
/// <param name="Id">
/// The backend's unique, stable id, used for UIDL. If it is not 1–70 characters in 0x21–0x7E or not
/// unique in the mailbox, the framework serves a stable hash of it instead.
/// </param>
/// <param name="Size">
/// The POP3 size: octets with CRLF line endings, before dot-stuffing, a missing final CRLF counted.
/// Null when the backend does not know it; the framework then measures the message once.
/// </param>
/// <param name="Key">Anything the backend wants back in <see cref="IMaildrop.OpenMessageAsync"/> (a path, a row id).</param>
public sealed record MaildropMessage(string Id, long? Size, object? Key = null);
