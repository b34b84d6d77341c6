namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>OAuth 2.0 towards the upstream server. Bound from the configuration section <c>Pop3:Upstream:OAuth2</c>.</summary>
public sealed class OAuth2Options
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Upstream:OAuth2";

    /// <summary>
    /// The authorization server's issuer URL; its endpoints are read from <c>/.well-known/openid-configuration</c>.
    /// Leave empty and set <see cref="TokenEndpoint"/> (and <see cref="AuthorizationEndpoint"/>) for a server without discovery.
    /// </summary>
    public string? Authority { get; set; }

    /// <summary>The token endpoint; overrides the one discovery found.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>The authorization endpoint the connect page sends users to; overrides the one discovery found.</summary>
    public string? AuthorizationEndpoint { get; set; }

    /// <summary>The client (application) id registered with the authorization server.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The client secret; empty for a public client (refresh-token grant only).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// The scopes asked for, separated by spaces, e.g. <c>https://outlook.office365.com/.default</c> (client credentials
    /// with Exchange Online) or <c>https://outlook.office.com/IMAP.AccessAsUser.All offline_access</c>.
    /// </summary>
    public string Scopes { get; set; } = "";

    /// <summary>Client credentials (app-only) or refresh tokens per user.</summary>
    public OAuth2Grant Grant { get; set; } = OAuth2Grant.ClientCredentials;

    /// <summary>The SASL mechanism used upstream.</summary>
    public OAuth2Mechanism Mechanism { get; set; } = OAuth2Mechanism.XOAuth2;

    /// <summary>
    /// Extra parameters of the authorization request the connect page sends, e.g. Google's <c>access_type=offline</c> and
    /// <c>prompt=consent</c> (without them Google gives no refresh token), or Microsoft's <c>login_hint</c>/<c>domain_hint</c>.
    /// </summary>
    public Dictionary<string, string> AuthorizationParameters { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Local user → upstream identity (the user name sent with the token, e.g. <c>alice@contoso.com</c>). A user not
    /// listed logs in upstream as the upstream backend's <c>Pop3:Upstream:User</c> says (the local name by default).
    /// </summary>
    public Dictionary<string, string> Users { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The gateway's own URL as a browser reaches the admin listener (behind a reverse proxy: the proxy's URL), e.g.
    /// <c>https://mail-gateway.example.com</c>. The connect page's redirect URI is this URL plus <c>/oauth2/callback</c>.
    /// Required for <see cref="OAuth2Grant.RefreshToken"/>.
    /// </summary>
    public string? PublicUrl { get; set; }

    /// <summary>
    /// The folder of the Data Protection key ring that encrypts the stored tokens; relative paths are in the data
    /// directory (<c>Pop3:DataPath</c>). Every gateway node that shares the token store must share it.
    /// </summary>
    public string KeyRingPath { get; set; } = "oauth2/keys";

    /// <summary>The folder of the encrypted token files (one per user); relative paths are in the data directory.</summary>
    public string TokenStorePath { get; set; } = "oauth2/tokens";

    /// <summary>How long before its expiry an access token is replaced (at most a quarter of its lifetime).</summary>
    public TimeSpan RefreshBefore { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long one request to the authorization server may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a user has between pressing "Connect" and coming back from the provider.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromMinutes(10);
}
