using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Pop3.Kestrel.OAuthBearer;

/// <summary>
/// Validates the bearer tokens of OAUTHBEARER and XOAUTH2 as signed JWTs (Microsoft.IdentityModel): issuer,
/// audience, signature against the keys of <c>Pop3:Authentication:OAuth:Jwks</c> or <c>JwksFile</c> (read once,
/// on first use), expiry and not-before against <see cref="TimeProvider"/> with
/// <see cref="OAuthBearerOptions.ClockSkew"/>. The user is the value of <see cref="OAuthBearerOptions.MailboxClaim"/>.
/// </summary>
internal sealed class BearerTokenValidator
{
    private readonly Lazy<OAuthBearerOptions> _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<IReadOnlyList<SecurityKey>> _keys;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <summary>Takes the settings; the keys are read when first needed.</summary>
    public BearerTokenValidator(IOptions<OAuthBearerOptions> options, TimeProvider time, ILogger<BearerTokenValidator> logger, IHostEnvironment? environment = null)
    {
        // Read on first use: the authentication options' validator asks the mechanisms whether they are available.
        _settings = new Lazy<OAuthBearerOptions>(() => options.Value);
        _time = time;
        _logger = logger;
        _keys = new Lazy<IReadOnlyList<SecurityKey>>(() => LoadKeys(environment));
    }

    private OAuthBearerOptions Settings => _settings.Value;

    /// <summary>True when issuer, audience and at least one signing key are configured.</summary>
    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Settings.Issuer) && !string.IsNullOrWhiteSpace(Settings.Audience) && _keys.Value.Count > 0;

    /// <summary>The user named by a valid <paramref name="token"/>, or null if the token is not valid.</summary>
    public async ValueTask<string?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (!IsConfigured || string.IsNullOrEmpty(token))
        {
            return null;
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = Settings.Issuer,
            ValidAudience = Settings.Audience,
            IssuerSigningKeys = _keys.Value,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = Settings.ClockSkew,
            LifetimeValidator = ValidateLifetime,
        };

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, parameters);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            OAuthBearerLog.TokenRejected(_logger, e.GetType().Name);
            return null;
        }

        if (!result.IsValid)
        {
            OAuthBearerLog.TokenRejected(_logger, result.Exception?.GetType().Name ?? "invalid");
            return null;
        }

        if (result.Claims.TryGetValue(Settings.MailboxClaim, out var value) && value is string user && user.Length > 0)
        {
            return user;
        }

        OAuthBearerLog.TokenRejected(_logger, "no " + Settings.MailboxClaim + " claim");
        return null;
    }

    /// <summary>The RFC 7628 §3.2.2 error JSON for OAUTHBEARER.</summary>
    internal byte[] OAuthBearerError() => ErrorJson("invalid_token", includeSchemes: false);

    /// <summary>The error JSON that XOAUTH2 clients expect (as Gmail sends it).</summary>
    internal byte[] XOAuth2Error() => ErrorJson("401", includeSchemes: true);

    private byte[] ErrorJson(string status, bool includeSchemes)
    {
        var error = new Dictionary<string, string> { ["status"] = status };
        if (includeSchemes)
        {
            error["schemes"] = "Bearer";
        }

        if (!string.IsNullOrEmpty(Settings.Scope))
        {
            error["scope"] = Settings.Scope;
        }

        if (!string.IsNullOrEmpty(Settings.OpenIdConfiguration))
        {
            error["openid-configuration"] = Settings.OpenIdConfiguration;
        }

        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(error);
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return expires is { } exp && exp.ToUniversalTime() + Settings.ClockSkew > now
            && (notBefore is not { } nbf || nbf.ToUniversalTime() - Settings.ClockSkew <= now);
    }

    private IReadOnlyList<SecurityKey> LoadKeys(IHostEnvironment? environment)
    {
        var keys = new List<SecurityKey>();
        if (!string.IsNullOrWhiteSpace(Settings.Jwks))
        {
            AddKeys(keys, Settings.Jwks, "Pop3:Authentication:OAuth:Jwks");
        }

        if (!string.IsNullOrWhiteSpace(Settings.JwksFile))
        {
            var path = Path.GetFullPath(Settings.JwksFile, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
            try
            {
                AddKeys(keys, File.ReadAllText(path), path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                OAuthBearerLog.SigningKeysUnreadable(_logger, e, path);
            }
        }

        return keys;
    }

    private void AddKeys(List<SecurityKey> keys, string json, string source)
    {
        try
        {
            var set = new JsonWebKeySet(json);
            keys.AddRange(set.GetSigningKeys());

            // GetSigningKeys leaves out symmetric ("oct") keys: they are taken as they are.
            foreach (var key in set.Keys)
            {
                if (key.Kty == JsonWebAlgorithmsKeyTypes.Octet && !string.IsNullOrEmpty(key.K) && key.Use is null or JsonWebKeyUseNames.Sig)
                {
                    keys.Add(new SymmetricSecurityKey(Base64UrlEncoder.DecodeBytes(key.K)) { KeyId = key.Kid });
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or System.Text.Json.JsonException or InvalidOperationException)
        {
            OAuthBearerLog.SigningKeysUnreadable(_logger, e, source);
        }
    }
}
