namespace Pop3.Kestrel.Upstream;

/// <summary>The protocol the upstream server speaks.</summary>
public enum UpstreamProtocol
{
    /// <summary>POP3 (RFC 1939): the upstream's maildrop, relayed.</summary>
    Pop3,

    /// <summary>IMAP4rev1 (RFC 3501): one folder of the upstream mailbox is the maildrop.</summary>
    Imap,
}
