namespace Pop3.Kestrel.Hosting;

/// <summary>TLS on a listener: none (STLS may still upgrade), or implicit TLS from the first byte (RFC 8314, port 995).</summary>
public enum Pop3TlsMode
{
    /// <summary>Plain text from the first byte; the client may upgrade with STLS (RFC 2595) when a certificate is available.</summary>
    None,

    /// <summary>TLS from the first byte (RFC 8314, port 995).</summary>
    Implicit,
}
