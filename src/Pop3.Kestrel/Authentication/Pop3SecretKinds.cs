namespace Pop3.Kestrel.Authentication;

/// <summary>The kinds of secret an <see cref="IPop3SecretProvider"/> can supply.</summary>
[Flags]
public enum Pop3SecretKinds
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Plaintext passwords: APOP (and CRAM-MD5).</summary>
    Plaintext = 1,

    /// <summary>HMAC-MD5 contexts: CRAM-MD5.</summary>
    CramMd5 = 2,

    /// <summary>SCRAM-SHA-256 keys.</summary>
    ScramSha256 = 4,
}
