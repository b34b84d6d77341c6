using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Tokens;

/// <summary>The token source against a real OAuth 2.0 server (OpenIddict): grants, caching, rotation, refusal, storage.</summary>
[Collection(SharedMeterCollection.Name)]
public sealed class TokenSourceTests : IAsyncLifetime
{
    private const string Callback = "http://127.0.0.1:9/oauth2/callback";
    private TestAuthorizationServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestAuthorizationServer.StartAsync(TimeSpan.FromHours(1), TimeSpan.FromDays(14), Callback);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Client_credentials_token_is_requested_once_and_shared_until_shortly_before_it_expires()
    {
        await using var host = new TokenSourceHost(TokenSourceHost.SettingsFor(_server, "ClientCredentials"));

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.Source.GetAccessTokenAsync("alice", CancellationToken.None)));

        Assert.All(results, r => Assert.Equal(OAuth2AccessStatus.Granted, r.Status));
        Assert.Single(results.Select(r => r.AccessToken).Distinct());
        Assert.Equal(1, _server.TokenRequests["client_credentials"]);
        Assert.True(await _server.IsActiveAsync(results[0].AccessToken!));

        // 58 minutes into a one-hour token it is still used; within the last two minutes it is replaced.
        host.Time.Advance(TimeSpan.FromMinutes(57));
        Assert.Equal(results[0].AccessToken, (await host.Source.GetAccessTokenAsync("bob", CancellationToken.None)).AccessToken);
        host.Time.Advance(TimeSpan.FromMinutes(2));
        var renewed = await host.Source.GetAccessTokenAsync("bob", CancellationToken.None);
        Assert.NotEqual(results[0].AccessToken, renewed.AccessToken);
        Assert.Equal(2, _server.TokenRequests["client_credentials"]);
        Assert.Equal(2, host.Metrics.Sum("pop3.upstream.oauth2.token_requests", ("oauth2.grant", "client_credentials"), ("oauth2.result", "ok")));
    }

    [Fact]
    public async Task An_expired_access_token_is_refreshed_unattended_and_the_rotated_refresh_token_is_stored()
    {
        await using var host = new TokenSourceHost(TokenSourceHost.SettingsFor(_server, "RefreshToken"));
        var connected = await _server.AuthorizeAsync("alice@example.test", Callback);
        Assert.False(connected.IsError, connected.Error);
        await host.Source.ConnectAsync("alice", connected, CancellationToken.None);

        var first = await host.Source.GetAccessTokenAsync("alice", CancellationToken.None);
        Assert.Equal(connected.AccessToken, first.AccessToken);

        host.Time.Advance(TimeSpan.FromMinutes(59));
        var refreshed = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => host.Source.GetAccessTokenAsync("alice", CancellationToken.None)));

        Assert.All(refreshed, r => Assert.Equal(OAuth2AccessStatus.Granted, r.Status));
        Assert.Single(refreshed.Select(r => r.AccessToken).Distinct());
        Assert.NotEqual(connected.AccessToken, refreshed[0].AccessToken);
        Assert.True(await _server.IsActiveAsync(refreshed[0].AccessToken!));
        Assert.Equal(1, _server.TokenRequests["refresh_token"]);
        var stored = host.Store.Read("alice")!;
        Assert.NotNull(stored.RefreshToken);
        Assert.NotEqual(connected.RefreshToken, stored.RefreshToken);
        Assert.Equal(refreshed[0].AccessToken, stored.AccessToken);

        // The rotated token works for the next refresh, and a restarted gateway (same data directory) uses it too.
        await using var restarted = new TokenSourceHost(TokenSourceHost.SettingsFor(_server, "RefreshToken"), host.DataPath);
        restarted.Time.Advance(TimeSpan.FromHours(2));
        var afterRestart = await restarted.Source.GetAccessTokenAsync("alice", CancellationToken.None);
        Assert.Equal(OAuth2AccessStatus.Granted, afterRestart.Status);
        Assert.Equal(2, _server.TokenRequests["refresh_token"]);
        Assert.True(await _server.IsActiveAsync(afterRestart.AccessToken!));
    }

    [Fact]
    public async Task A_revoked_refresh_token_asks_for_a_reconnect_with_a_warning_and_a_metric()
    {
        await using var host = new TokenSourceHost(TokenSourceHost.SettingsFor(_server, "RefreshToken"));
        await host.Source.ConnectAsync("alice", await _server.AuthorizeAsync("alice@example.test", Callback), CancellationToken.None);
        Assert.True(await _server.RevokeAllAsync("alice@example.test") > 0);

        host.Time.Advance(TimeSpan.FromHours(1));
        var result = await host.Source.GetAccessTokenAsync("alice", CancellationToken.None);

        Assert.Equal(OAuth2AccessStatus.ReconnectRequired, result.Status);
        Assert.Equal("The mailbox must be connected again at http://127.0.0.1:9/oauth2/connect", result.Reason);
        Assert.Contains(host.Logs.Lines, line => line.Level == LogLevel.Warning
            && line.Message.StartsWith("Refresh token of alice was refused (invalid_grant", StringComparison.Ordinal)
            && line.Message.EndsWith("the mailbox must be connected again", StringComparison.Ordinal));
        Assert.Equal(1, host.Metrics.Sum("pop3.upstream.oauth2.reconnect_required", ("oauth2.reason", "refused")));
        Assert.Equal(1, host.Metrics.Sum("pop3.upstream.oauth2.token_requests", ("oauth2.grant", "refresh_token"), ("oauth2.result", "refused")));
        var status = host.Source.Status("alice")!;
        Assert.False(status.Connected);
        Assert.True(status.NeedsReconnect);
        Assert.StartsWith("invalid_grant", status.LastError, StringComparison.Ordinal);

        // Later logins say the same without asking the server again.
        Assert.Equal(OAuth2AccessStatus.ReconnectRequired, (await host.Source.GetAccessTokenAsync("alice", CancellationToken.None)).Status);
        Assert.Equal(1, host.Metrics.Sum("pop3.upstream.oauth2.token_requests", ("oauth2.grant", "refresh_token"), ("oauth2.result", "refused")));
        Assert.Equal(2, host.Metrics.Sum("pop3.upstream.oauth2.reconnect_required", ("oauth2.reason", "refused")));
    }

    [Fact]
    public async Task A_user_who_never_connected_is_told_to_connect()
    {
        await using var host = new TokenSourceHost(TokenSourceHost.SettingsFor(_server, "RefreshToken"));

        var result = await host.Source.GetAccessTokenAsync("carol", CancellationToken.None);

        Assert.Equal(OAuth2AccessStatus.ReconnectRequired, result.Status);
        Assert.Equal(1, host.Metrics.Sum("pop3.upstream.oauth2.reconnect_required", ("oauth2.reason", "not_connected")));
        Assert.Empty(_server.TokenRequests);
    }

    [Fact]
    public async Task An_unreachable_authorization_server_is_a_temporary_failure_and_keeps_the_refresh_token()
    {
        var settings = TokenSourceHost.SettingsFor(_server, "RefreshToken");
        await using var host = new TokenSourceHost(settings);
        var connected = await _server.AuthorizeAsync("alice@example.test", Callback);
        await host.Source.ConnectAsync("alice", connected, CancellationToken.None);
        await _server.DisposeAsync();
        _server = await TestAuthorizationServer.StartAsync(TimeSpan.FromHours(1), TimeSpan.FromDays(14), Callback);

        // The old server's port is closed now: connection refused, not a refusal of the grant.
        host.Time.Advance(TimeSpan.FromHours(1));
        var result = await host.Source.GetAccessTokenAsync("alice", CancellationToken.None);

        Assert.Equal(OAuth2AccessStatus.Unavailable, result.Status);
        Assert.Equal(connected.RefreshToken, host.Store.Read("alice")!.RefreshToken);
        Assert.False(host.Source.Status("alice")!.NeedsReconnect);
        Assert.NotNull(host.Source.Status("alice")!.LastError);
    }

    [Fact]
    public async Task Tokens_on_disk_are_unreadable_without_the_key_ring()
    {
        await using var host = new TokenSourceHost(TokenSourceHost.SettingsFor(_server, "RefreshToken"));
        var connected = await _server.AuthorizeAsync("alice@example.test", Callback);
        await host.Source.ConnectAsync("alice", connected, CancellationToken.None);

        var file = Assert.Single(Directory.GetFiles(host.Protection.TokenFolder));
        var bytes = await File.ReadAllBytesAsync(file);
        foreach (var secret in new[] { connected.AccessToken!, connected.RefreshToken!, connected.AccessToken![^24..], connected.RefreshToken![^24..], "alice" })
        {
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)))));
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        // Another key ring (another installation, or keys lost) cannot decrypt it; the gateway's own can.
        var otherKeys = Path.Combine(host.DataPath, "other-keys");
        var other = OAuth2Protection.Create(otherKeys).CreateProtector("Pop3.Kestrel.Upstream.OAuth2.TokenStore.v1");
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => other.Unprotect(bytes));
        var withOtherKeys = new OAuth2TokenStore(OAuth2Protection.Create(otherKeys), host.Protection.TokenFolder, host.Logs.CreateLogger("test"));
        Assert.Null(withOtherKeys.Read("alice"));
        Assert.Contains(host.Logs.Lines, line => line.Level == LogLevel.Error && line.Message.Contains("cannot be decrypted with this key ring", StringComparison.Ordinal));
        var withSameKeys = new OAuth2TokenStore(OAuth2Protection.Create(host.Protection.KeyRing), host.Protection.TokenFolder, host.Logs.CreateLogger("test"));
        Assert.Equal(connected.RefreshToken, withSameKeys.Read("alice")!.RefreshToken);
    }
}
