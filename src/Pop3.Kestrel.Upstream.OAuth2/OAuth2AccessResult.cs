namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>What the token source could give for one login.</summary>
internal enum OAuth2AccessStatus
{
    /// <summary>An access token, valid for a while yet.</summary>
    Granted,

    /// <summary>The user never connected the mailbox, or the refresh token was refused: <c>-ERR [AUTH]</c>, connect again.</summary>
    ReconnectRequired,

    /// <summary>The authorization server could not be asked or failed: <c>-ERR [SYS/TEMP]</c>, try later.</summary>
    Unavailable,
}

/// <summary>An access token, or why there is none.</summary>
/// <param name="Status">Granted, reconnect or unavailable.</param>
/// <param name="AccessToken">The token when granted.</param>
/// <param name="Reason">For the client's -ERR line when not granted (no secrets).</param>
internal readonly record struct OAuth2AccessResult(OAuth2AccessStatus Status, string? AccessToken, string? Reason)
{
    public static OAuth2AccessResult Granted(string token) => new(OAuth2AccessStatus.Granted, token, null);

    public static OAuth2AccessResult Reconnect(string reason) => new(OAuth2AccessStatus.ReconnectRequired, null, reason);

    public static OAuth2AccessResult Unavailable(string reason) => new(OAuth2AccessStatus.Unavailable, null, reason);
}
