namespace Pop3.Kestrel.Hosting;

/// <summary>
/// A certificate, in the shape Kestrel users know: PEM certificate and key files, or a PFX file with its
/// password. Reloaded when the files change.
/// </summary>
public sealed class Pop3CertificateOptions
{
    /// <summary>The PEM certificate (chain) or the PFX/PKCS#12 file.</summary>
    public string? Path { get; set; }

    /// <summary>The PEM private key; empty when <see cref="Path"/> is a PFX or a PEM holding the key too.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX password, or the password of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>True when a certificate file is named.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Path);
}
