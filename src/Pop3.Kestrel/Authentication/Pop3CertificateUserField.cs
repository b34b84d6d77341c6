namespace Pop3.Kestrel.Authentication;

/// <summary>The certificate field that names the user for SASL EXTERNAL.</summary>
public enum Pop3CertificateUserField
{
    /// <summary>The subject's common name (CN).</summary>
    CommonName,

    /// <summary>The first e-mail address among the subject alternative names (or the subject's E= field).</summary>
    Email,
}
