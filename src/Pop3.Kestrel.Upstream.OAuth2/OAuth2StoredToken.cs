namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// What the gateway keeps for one local user: the refresh token (refresh-token grant), the cached access token, and
/// what the admin API shows. Written whole, encrypted, to the user's token file.
/// </summary>
internal sealed record OAuth2StoredToken
{
    public required string User { get; init; }

    public string? RefreshToken { get; init; }

    public string? AccessToken { get; init; }

    public DateTimeOffset? AccessTokenExpires { get; init; }

    /// <summary>When the access token is replaced: shortly before it expires.</summary>
    public DateTimeOffset? AccessTokenRenewal { get; init; }

    public DateTimeOffset? ConnectedAt { get; init; }

    public DateTimeOffset? RefreshedAt { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>The refresh token was refused: only connecting the mailbox again helps.</summary>
    public bool NeedsReconnect { get; init; }
}
