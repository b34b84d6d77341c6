using System.Collections.Concurrent;
using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// Access tokens for upstream logins. Client credentials: one app-only token, cached until shortly before it expires,
/// with one request in flight at a time. Refresh tokens: per user, the cached access token or an unattended refresh; a
/// rotated refresh token is stored (atomically) before the new access token is used, so a crash never leaves the
/// gateway holding only the spent one. A refused refresh token marks the user as needing to connect again.
/// </summary>
internal sealed partial class OAuth2TokenSource
{
    private const string RefusedGrant = "invalid_grant";

    private readonly OAuth2Options _options;
    private readonly OAuth2Endpoints _endpoints;
    private readonly OAuth2TokenStore _store;
    private readonly IHttpClientFactory _http;
    private readonly OAuth2Metrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _appGate = new(1, 1);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _userGates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OAuth2StoredToken> _cache = new(StringComparer.Ordinal);
    private OAuth2StoredToken? _app;

    public OAuth2TokenSource(IOptions<OAuth2Options> options, OAuth2Endpoints endpoints, OAuth2TokenStore store, IHttpClientFactory http,
        OAuth2Metrics metrics, TimeProvider time, ILogger<OAuth2TokenSource> logger)
    {
        _options = options.Value;
        _endpoints = endpoints;
        _store = store;
        _http = http;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        metrics.WatchExpiry(SoonestExpiry);
    }

    /// <summary>The grant this source uses.</summary>
    public OAuth2Grant Grant => _options.Grant;

    /// <summary>An access token for <paramref name="user"/>'s upstream login.</summary>
    public Task<OAuth2AccessResult> GetAccessTokenAsync(string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        return _options.Grant == OAuth2Grant.ClientCredentials ? AppTokenAsync(cancellationToken) : UserTokenAsync(user, cancellationToken);
    }

    /// <summary>The upstream identity of <paramref name="user"/> if <see cref="OAuth2Options.Users"/> maps it.</summary>
    public string? MappedUser(string user) => _options.Users.TryGetValue(user, out var upstream) && upstream.Length > 0 ? upstream : null;

    /// <summary>Time until the soonest-expiring cached access token expires, for the gauge.</summary>
    public TimeSpan? SoonestExpiry()
    {
        var now = _time.GetUtcNow();
        var tokens = _options.Grant == OAuth2Grant.ClientCredentials ? (_app is null ? [] : [_app]) : _cache.Values.ToArray();
        var soonest = tokens.Where(t => t.AccessTokenExpires is not null).Select(t => t.AccessTokenExpires!.Value).DefaultIfEmpty().Min();
        return soonest == default ? null : soonest - now;
    }

    /// <summary>Every stored user's state, for the admin API; the app token's for client credentials.</summary>
    public IReadOnlyList<OAuth2ConnectionStatus> Status()
    {
        var now = _time.GetUtcNow();
        if (_options.Grant == OAuth2Grant.ClientCredentials)
        {
            return _app is { } app ? [OAuth2ConnectionStatus.Of(app, now)] : [];
        }

        return [.. _store.ReadAll().Select(token => OAuth2ConnectionStatus.Of(token, now))];
    }

    /// <summary>One user's state, for the admin API; null if nothing is stored for them.</summary>
    public OAuth2ConnectionStatus? Status(string user) =>
        _store.Read(user) is { } token ? OAuth2ConnectionStatus.Of(token, _time.GetUtcNow()) : null;

    /// <summary>Stores the tokens the connect page obtained: the user is connected (again).</summary>
    public async Task ConnectAsync(string user, TokenResponse response, CancellationToken cancellationToken)
    {
        var gate = _userGates.GetOrAdd(user, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var token = WithAccessToken(new OAuth2StoredToken { User = user, RefreshToken = response.RefreshToken, ConnectedAt = now, RefreshedAt = now }, response, now);
            _store.Write(token);
            _cache[user] = token;
            LogConnected(_logger, user, response.RefreshToken is not null);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets the user's tokens (the admin API's disconnect).</summary>
    public bool Disconnect(string user)
    {
        _cache.TryRemove(user, out _);
        return _store.Delete(user);
    }

    /// <summary>Asks the token endpoint, timing and counting the request; never throws for HTTP failures.</summary>
    internal async Task<TokenResponse> RequestAsync(string grant, Func<HttpClient, string, CancellationToken, Task<TokenResponse>> request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var (endpoint, error) = await _endpoints.TokenEndpointAsync();
        TokenResponse response;
        if (endpoint is null)
        {
            response = ProtocolResponse.FromException<TokenResponse>(new InvalidOperationException("The token endpoint is not known: " + error), error);
        }
        else
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(_options.Timeout);
            try
            {
                response = await request(_http.CreateClient(OAuth2Http.ClientName), endpoint, limit.Token);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                response = ProtocolResponse.FromException<TokenResponse>(e, "the token request timed out");
            }
        }

        _metrics.TokenRequest(grant, !response.IsError ? "ok" : IsRefusal(response) ? "refused" : "unavailable", _time.GetElapsedTime(started));
        return response;
    }

    private async Task<OAuth2AccessResult> AppTokenAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_app) is { } cached)
        {
            return OAuth2AccessResult.Granted(cached);
        }

        await _appGate.WaitAsync(cancellationToken);
        try
        {
            // Whoever held the gate before may have just fetched one.
            if (Fresh(_app) is { } fetched)
            {
                return OAuth2AccessResult.Granted(fetched);
            }

            var response = await RequestAsync("client_credentials", (client, endpoint, ct) => client.RequestClientCredentialsTokenAsync(new ClientCredentialsTokenRequest
            {
                Address = endpoint,
                ClientId = _options.ClientId,
                ClientSecret = _options.ClientSecret,
                Scope = NullIfEmpty(_options.Scopes),
            }, ct), cancellationToken);
            var now = _time.GetUtcNow();
            if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
            {
                var reason = Describe(response);
                _app = (_app ?? new OAuth2StoredToken { User = _options.ClientId }) with { LastError = reason, LastErrorAt = now };
                LogAppTokenFailed(_logger, _options.ClientId, reason);
                return OAuth2AccessResult.Unavailable("the gateway could not get an access token");
            }

            var token = WithAccessToken(new OAuth2StoredToken { User = _options.ClientId, RefreshedAt = now }, response, now);
            _app = token;
            LogAppTokenIssued(_logger, _options.ClientId, token.AccessTokenExpires);
            return OAuth2AccessResult.Granted(token.AccessToken!);
        }
        finally
        {
            _appGate.Release();
        }
    }

    private async Task<OAuth2AccessResult> UserTokenAsync(string user, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(user, out var cached) && Fresh(cached) is { } token)
        {
            return OAuth2AccessResult.Granted(token);
        }

        var gate = _userGates.GetOrAdd(user, static _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            // The file is the truth: another login (or node sharing the store) may have refreshed meanwhile.
            var stored = _store.Read(user);
            if (stored is null)
            {
                _cache.TryRemove(user, out _);
                _metrics.ReconnectRequired("not_connected");
                LogNotConnected(_logger, user);
                return ReconnectResult();
            }

            _cache[user] = stored;
            if (Fresh(stored) is { } fresh)
            {
                return OAuth2AccessResult.Granted(fresh);
            }

            if (string.IsNullOrEmpty(stored.RefreshToken))
            {
                _metrics.ReconnectRequired(stored.NeedsReconnect ? "refused" : "no_refresh_token");
                LogReconnectRequired(_logger, user, stored.LastError ?? "no refresh token is stored");
                return ReconnectResult();
            }

            var response = await RequestAsync("refresh_token", (client, endpoint, ct) => client.RequestRefreshTokenAsync(new RefreshTokenRequest
            {
                Address = endpoint,
                ClientId = _options.ClientId,
                ClientSecret = _options.ClientSecret,
                RefreshToken = stored.RefreshToken,
                Scope = NullIfEmpty(_options.Scopes),
            }, ct), cancellationToken);
            var now = _time.GetUtcNow();
            if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
            {
                var reason = Describe(response);
                if (IsRefusal(response))
                {
                    // A spent or revoked refresh token is useless: keep it no longer, and say so until the user reconnects.
                    var refused = stored with { RefreshToken = null, AccessToken = null, AccessTokenExpires = null, AccessTokenRenewal = null, NeedsReconnect = true, LastError = reason, LastErrorAt = now };
                    _store.Write(refused);
                    _cache[user] = refused;
                    _metrics.ReconnectRequired("refused");
                    LogRefreshRefused(_logger, user, reason);
                    return ReconnectResult();
                }

                var failed = stored with { LastError = reason, LastErrorAt = now };
                _store.Write(failed);
                _cache[user] = failed;
                LogRefreshFailed(_logger, user, reason);
                return OAuth2AccessResult.Unavailable("the gateway could not refresh the access token");
            }

            // Rotation: the new refresh token replaces the old one in the same atomic write as the access token.
            var refreshed = WithAccessToken(stored with { RefreshToken = response.RefreshToken ?? stored.RefreshToken, RefreshedAt = now, NeedsReconnect = false }, response, now);
            _store.Write(refreshed);
            _cache[user] = refreshed;
            LogRefreshed(_logger, user, refreshed.AccessTokenExpires, response.RefreshToken is not null);
            return OAuth2AccessResult.Granted(refreshed.AccessToken!);
        }
        finally
        {
            gate.Release();
        }
    }

    private OAuth2AccessResult ReconnectResult() => OAuth2AccessResult.Reconnect(
        string.IsNullOrEmpty(_options.PublicUrl)
            ? "The mailbox must be connected again by its owner"
            : $"The mailbox must be connected again at {_options.PublicUrl.TrimEnd('/')}{OAuth2ConnectEndpoints.ConnectPath}");

    private string? Fresh(OAuth2StoredToken? token) =>
        token is { AccessToken: { Length: > 0 } access, AccessTokenRenewal: { } renewal } && _time.GetUtcNow() < renewal ? access : null;

    private OAuth2StoredToken WithAccessToken(OAuth2StoredToken token, TokenResponse response, DateTimeOffset now)
    {
        // A token without expires_in is used for one login only.
        var lifetime = response.ExpiresIn > 0 ? TimeSpan.FromSeconds(response.ExpiresIn) : TimeSpan.Zero;
        var margin = TimeSpan.FromTicks(Math.Min(_options.RefreshBefore.Ticks, lifetime.Ticks / 4));
        return token with
        {
            AccessToken = response.AccessToken,
            AccessTokenExpires = now + lifetime,
            AccessTokenRenewal = now + lifetime - margin,
            LastError = null,
            LastErrorAt = null,
        };
    }

    /// <summary>The authorization server said no (as opposed to could not answer): the grant itself is bad.</summary>
    private static bool IsRefusal(TokenResponse response) =>
        response.ErrorType == ResponseErrorType.Protocol && response.Error is RefusedGrant or "unauthorized_client" or "invalid_client" or "invalid_scope";

    private static string Describe(TokenResponse response) => response.ErrorType switch
    {
        ResponseErrorType.Protocol => string.IsNullOrEmpty(response.ErrorDescription) ? response.Error ?? "refused" : $"{response.Error}: {response.ErrorDescription}",
        ResponseErrorType.Http => $"HTTP {(int)response.HttpStatusCode} {response.HttpErrorReason}",
        _ when response.IsError => response.Error ?? "failed",
        _ => "no access token in the answer",
    };

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value;

    [LoggerMessage(Level = LogLevel.Information, Message = "App-only access token for client {ClientId} obtained, expires {Expires:o}")]
    private static partial void LogAppTokenIssued(ILogger logger, string clientId, DateTimeOffset? expires);

    [LoggerMessage(Level = LogLevel.Error, Message = "No app-only access token for client {ClientId}: {Reason}")]
    private static partial void LogAppTokenFailed(ILogger logger, string clientId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mailbox of {User} connected (refresh token {HasRefreshToken})")]
    private static partial void LogConnected(ILogger logger, string user, bool hasRefreshToken);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Access token of {User} refreshed, expires {Expires:o}, refresh token rotated: {Rotated}")]
    private static partial void LogRefreshed(ILogger logger, string user, DateTimeOffset? expires, bool rotated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh token of {User} was refused ({Reason}): the mailbox must be connected again")]
    private static partial void LogRefreshRefused(ILogger logger, string user, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream login of {User} refused: the mailbox must be connected again ({Reason})")]
    private static partial void LogReconnectRequired(ILogger logger, string user, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream login of {User} refused: the mailbox was never connected")]
    private static partial void LogNotConnected(ILogger logger, string user);

    [LoggerMessage(Level = LogLevel.Error, Message = "Access token of {User} could not be refreshed: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string user, string reason);
}
