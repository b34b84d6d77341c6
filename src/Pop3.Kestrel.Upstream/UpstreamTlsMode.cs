namespace Pop3.Kestrel.Upstream;

/// <summary>How the gateway reaches the upstream server.</summary>
public enum UpstreamTlsMode
{
    /// <summary>Plain text (a server on the same host or a trusted network only).</summary>
    None,

    /// <summary>TLS from the first byte (port 995 for POP3, 993 for IMAP).</summary>
    Implicit,

    /// <summary>STLS (POP3) or STARTTLS (IMAP) after the greeting; fails if the upstream does not offer it.</summary>
    StartTls,
}
