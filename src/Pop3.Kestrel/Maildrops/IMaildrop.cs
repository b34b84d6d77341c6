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
