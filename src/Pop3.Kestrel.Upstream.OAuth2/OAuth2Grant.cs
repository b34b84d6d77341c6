namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>How the gateway obtains the access tokens it presents upstream.</summary>
public enum OAuth2Grant
{
    /// <summary>
    /// One app-only token for every mailbox (the client credentials grant; Exchange Online's service principal with
    /// <c>IMAP.AccessAsApp</c>/<c>POP.AccessAsApp</c>). No user connects anything.
    /// </summary>
    ClientCredentials,

    /// <summary>
    /// A refresh token per user, stored when the user connects the mailbox on the connect page (authorization code with
    /// PKCE) and used unattended afterwards.
    /// </summary>
    RefreshToken,
}
