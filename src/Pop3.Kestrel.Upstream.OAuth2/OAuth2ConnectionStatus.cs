namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>One user's upstream OAuth 2.0 state in the admin API (<c>GET /upstream/oauth2/users</c>).</summary>
/// <param name="User">The local user (the client id for the app-only token).</param>
/// <param name="Connected">A refresh token is stored (or, for client credentials, a token was obtained).</param>
/// <param name="NeedsReconnect">The refresh token was refused: the user must connect again.</param>
/// <param name="ConnectedAt">When the user last connected the mailbox.</param>
/// <param name="TokenExpires">When the cached access token expires.</param>
/// <param name="TokenSecondsLeft">Seconds until then (negative once expired).</param>
/// <param name="RefreshedAt">When an access token was last obtained.</param>
/// <param name="LastError">The last failure, cleared by the next success.</param>
/// <param name="LastErrorAt">When it happened.</param>
internal sealed record OAuth2ConnectionStatus(
    string User,
    bool Connected,
    bool NeedsReconnect,
    DateTimeOffset? ConnectedAt,
    DateTimeOffset? TokenExpires,
    long? TokenSecondsLeft,
    DateTimeOffset? RefreshedAt,
    string? LastError,
    DateTimeOffset? LastErrorAt)
{
    public static OAuth2ConnectionStatus Of(OAuth2StoredToken token, DateTimeOffset now) => new(
        token.User,
        !string.IsNullOrEmpty(token.RefreshToken) || (token.ConnectedAt is null && !string.IsNullOrEmpty(token.AccessToken)),
        token.NeedsReconnect,
        token.ConnectedAt,
        token.AccessTokenExpires,
        token.AccessTokenExpires is { } expires ? (long)Math.Floor((expires - now).TotalSeconds) : null,
        token.RefreshedAt,
        token.LastError,
        token.LastErrorAt);
}
