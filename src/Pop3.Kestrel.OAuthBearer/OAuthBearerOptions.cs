namespace Pop3.Kestrel.OAuthBearer;

/// <summary>
/// Bearer-token validation for OAUTHBEARER (RFC 7628) and XOAUTH2: <c>Pop3:Authentication:OAuth</c>. The
/// mechanisms are offered only when <see cref="Issuer"/>, <see cref="Audience"/> and signing keys are set.
/// </summary>
public sealed class OAuthBearerOptions
{
    /// <summary>The configuration section: <c>Pop3:Authentication:OAuth</c>.</summary>
    public const string SectionName = "Pop3:Authentication:OAuth";

    /// <summary>The expected <c>iss</c> claim.</summary>
    public string? Issuer { get; set; }

    /// <summary>The expected <c>aud</c> claim.</summary>
    public string? Audience { get; set; }

    /// <summary>The signing keys as a JSON Web Key Set (RFC 7517), inline.</summary>
    public string? Jwks { get; set; }

    /// <summary>The path of a file holding a JSON Web Key Set; relative to the content root. Read at start-up.</summary>
    public string? JwksFile { get; set; }

    /// <summary>The claim whose value is the user, and the mailbox to open. Default <c>email</c>.</summary>
    public string MailboxClaim { get; set; } = "email";

    /// <summary>Tolerated clock difference for <c>exp</c> and <c>nbf</c>. Default 1 minute.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The scope named in the RFC 7628 error reply (optional).</summary>
    public string? Scope { get; set; }

    /// <summary>The OpenID configuration URL named in the RFC 7628 error reply (optional).</summary>
    public string? OpenIdConfiguration { get; set; }
}
