namespace Pop3.Kestrel.Hosting;

/// <summary>Client certificates on a TLS connection.</summary>
public enum Pop3ClientCertificateMode
{
    /// <summary>Not asked for.</summary>
    NoCertificate,

    /// <summary>Asked for; a connection without one is still served.</summary>
    AllowCertificate,

    /// <summary>Required: the handshake fails without a valid one.</summary>
    RequireCertificate,
}
