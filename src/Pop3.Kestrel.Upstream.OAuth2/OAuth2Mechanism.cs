namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>The SASL mechanism that carries the access token to the upstream server.</summary>
public enum OAuth2Mechanism
{
    /// <summary>Google's and Microsoft's <c>XOAUTH2</c>.</summary>
    XOAuth2,

    /// <summary>RFC 7628 <c>OAUTHBEARER</c>.</summary>
    OAuthBearer,
}
