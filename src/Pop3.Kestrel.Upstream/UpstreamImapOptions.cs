namespace Pop3.Kestrel.Upstream;

/// <summary>How an IMAP upstream serves the maildrop (<c>Pop3:Upstream:Imap</c>): one folder is the maildrop.</summary>
public sealed class UpstreamImapOptions
{
    /// <summary>The folder served as the maildrop. Default <c>INBOX</c>.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>Set <c>\Seen</c> on a message once it was read to its end (RETR, or a TOP that covered it all). Default false: reading changes nothing upstream.</summary>
    public bool MarkSeen { get; set; }

    /// <summary>
    /// Empty (the default): deleted messages are flagged <c>\Deleted</c> and expunged by UID. Set (e.g. <c>Trash</c>,
    /// Gmail's <c>[Gmail]/Trash</c>): they are moved there instead, so they can still be recovered upstream.
    /// </summary>
    public string? TrashFolder { get; set; }
}
