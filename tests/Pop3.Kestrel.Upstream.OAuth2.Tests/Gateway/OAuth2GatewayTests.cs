using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MailKit.Net.Pop3;
using Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;
using Serilog.Events;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Gateway;

/// <summary>
/// The shipped server as a gateway in front of a real Dovecot whose oauth2 passdb validates tokens at a real OpenIddict
/// server: clients log in to the gateway with their local password; the gateway logs in upstream with XOAUTH2.
/// </summary>
[Collection(SharedMeterCollection.Name)]
[Trait("Category", "Interop")]
public sealed class OAuth2GatewayTests : IAsyncLifetime
{
    private const string Callback = "http://127.0.0.1:9/oauth2/callback";
    private static readonly byte[] AliceFirst = Encoding.ASCII.GetBytes("From: a@example.test\r\nSubject: one\r\n\r\nfirst message\r\n.starts with a dot\r\n");
    private static readonly byte[] AliceSecond = Encoding.ASCII.GetBytes("From: a@example.test\r\nSubject: two\r\n\r\nsecond message\r\n");
    private static readonly byte[] BobFirst = Encoding.ASCII.GetBytes("From: b@example.test\r\nSubject: for bob\r\n\r\nhello bob\r\n");

    private TestAuthorizationServer _server = null!;
    private TestDovecot _dovecot = null!;

    public async Task InitializeAsync()
    {
        _server = await TestAuthorizationServer.StartAsync(TimeSpan.FromHours(1), TimeSpan.FromDays(14), Callback);
        _dovecot = await TestDovecot.StartAsync(_server);
        _dovecot.Deliver("alice@example.test", AliceFirst);
        _dovecot.Deliver("alice@example.test", AliceSecond);
        _dovecot.Deliver("bob@example.test", BobFirst);
    }

    public async Task DisposeAsync()
    {
        if (_dovecot is not null)
        {
            await _dovecot.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Client_credentials_users_fetch_their_mail_with_the_local_password()
    {
        await using var gateway = new GatewayFactory(Settings("ClientCredentials"));

        using (var client = new Pop3Client())
        {
            await client.ConnectAsync("127.0.0.1", gateway.Pop3EndPoint.Port, MailKit.Security.SecureSocketOptions.None);
            await client.AuthenticateAsync("alice", "secret");
            Assert.Equal(2, client.Count);
            Assert.Equal([AliceFirst, AliceSecond], await RetrieveAllAsync(client));
            await client.DisconnectAsync(quit: true);
        }

        using (var client = new Pop3Client())
        {
            await client.ConnectAsync("127.0.0.1", gateway.Pop3EndPoint.Port, MailKit.Security.SecureSocketOptions.None);
            await client.AuthenticateAsync("bob", "hunter 2");
            Assert.Equal([BobFirst], await RetrieveAllAsync(client));
            await client.DisconnectAsync(quit: true);
        }

        // One app-only token served both mailboxes; Dovecot checked it at the introspection endpoint each time.
        Assert.Equal(1, _server.TokenRequests["client_credentials"]);
        Assert.Contains("oauth2", _dovecot.Log, StringComparison.Ordinal);

        // The admin API shows the app token; there is no connect page without per-user tokens.
        using var admin = new HttpClient { BaseAddress = gateway.AdminUri };
        var app = Assert.Single((await admin.GetFromJsonAsync<JsonElement[]>("upstream/oauth2/users"))!);
        Assert.Equal(TestAuthorizationServer.GatewayClientId, app.GetProperty("user").GetString());
        Assert.True(app.GetProperty("tokenSecondsLeft").GetInt64() > 3500);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await admin.GetAsync("oauth2/connect")).StatusCode);
    }

    [Fact]
    public async Task Over_an_IMAP_upstream_with_OAUTHBEARER_mail_is_fetched_and_DELE_QUIT_removes_exactly_the_marked_message()
    {
        var settings = Settings("ClientCredentials");
        settings["Pop3:Upstream:Protocol"] = "Imap";
        settings["Pop3:Upstream:Port"] = _dovecot.ImapPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Pop3:Upstream:OAuth2:Mechanism"] = "OAuthBearer";
        await using var gateway = new GatewayFactory(settings);

        using (var client = new Pop3Client())
        {
            await client.ConnectAsync("127.0.0.1", gateway.Pop3EndPoint.Port, MailKit.Security.SecureSocketOptions.None);
            await client.AuthenticateAsync("alice", "secret");
            Assert.Equal([AliceFirst, AliceSecond], await RetrieveAllAsync(client));
            await client.DeleteMessageAsync(0);
            await client.DisconnectAsync(quit: true);
        }

        Assert.Equal([AliceSecond], await FetchAsync(gateway, "alice", "secret"));
        Assert.Contains("mech=OAUTHBEARER", _dovecot.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Curl_and_python_poplib_fetch_through_the_gateway()
    {
        var curl = ExternalProgram.Curl.Locate();
        var python = ExternalProgram.Python3.Locate();
        await using var gateway = new GatewayFactory(Settings("ClientCredentials"));
        var port = gateway.Pop3EndPoint.Port;

        var (curlExit, curlOut) = await RunAsync(curl, "-s", "--max-time", "30", $"pop3://127.0.0.1:{port}/2", "-u", "alice:secret");
        Assert.Equal(0, curlExit);
        Assert.Equal(Encoding.ASCII.GetString(AliceSecond), curlOut);

        var script = $"""
            import poplib, sys
            m = poplib.POP3('127.0.0.1', {port}, timeout=30)
            m.user('alice'); m.pass_('secret')
            count, size = m.stat()
            lines = m.retr(1)[1]
            m.quit()
            sys.stdout.write('%d %d\n' % (count, size))
            sys.stdout.write('\n'.join(l.decode('ascii') for l in lines))
            """;
        var (pythonExit, pythonOut) = await RunAsync(python, "-c", script);
        Assert.Equal(0, pythonExit);
        Assert.Equal($"2 {AliceFirst.Length + AliceSecond.Length}\n" + Encoding.ASCII.GetString(AliceFirst).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n'), pythonOut);
    }

    [Fact]
    public async Task A_refresh_token_user_fetches_mail_and_an_expired_token_is_refreshed_without_the_client_noticing()
    {
        await using var gateway = new GatewayFactory(Settings("RefreshToken"));
        var connected = await _server.AuthorizeAsync("bob@example.test", Callback);
        await gateway.TokenSource.ConnectAsync("bob", connected, CancellationToken.None);

        Assert.Equal([BobFirst], await FetchAsync(gateway, "bob", "hunter 2"));
        Assert.False(_server.TokenRequests.ContainsKey("refresh_token"));

        // Mid-day: the access token has expired for the gateway; the next login refreshes it unattended.
        gateway.Time.Advance(TimeSpan.FromHours(3));
        Assert.Equal([BobFirst], await FetchAsync(gateway, "bob", "hunter 2"));
        Assert.Equal(1, _server.TokenRequests["refresh_token"]);

        using var admin = new HttpClient { BaseAddress = gateway.AdminUri };
        using var status = JsonDocument.Parse(await admin.GetStringAsync("upstream/oauth2/users/bob"));
        Assert.True(status.RootElement.GetProperty("connected").GetBoolean());
        Assert.False(status.RootElement.GetProperty("needsReconnect").GetBoolean());
        Assert.Equal(3600, status.RootElement.GetProperty("tokenSecondsLeft").GetInt64(), tolerance: 5);
        Assert.Equal(gateway.Time.GetUtcNow().AddHours(1), status.RootElement.GetProperty("tokenExpires").GetDateTimeOffset(), TimeSpan.FromSeconds(5));
        var all = await admin.GetFromJsonAsync<JsonElement[]>("upstream/oauth2/users");
        Assert.Equal(["bob"], all!.Select(u => u.GetProperty("user").GetString()));
    }

    [Fact]
    public async Task A_revoked_refresh_token_gives_the_client_an_AUTH_error_naming_the_connect_page_and_logs_a_warning()
    {
        await using var gateway = new GatewayFactory(Settings("RefreshToken"));
        await gateway.TokenSource.ConnectAsync("bob", await _server.AuthorizeAsync("bob@example.test", Callback), CancellationToken.None);
        Assert.True(await _server.RevokeAllAsync("bob@example.test") > 0);
        gateway.Time.Advance(TimeSpan.FromHours(3));

        await using (var client = await LineClient.ConnectAsync(gateway.Pop3EndPoint))
        {
            Assert.StartsWith("+OK", await client.ReadLineAsync(), StringComparison.Ordinal);
            Assert.StartsWith("+OK", await client.CommandAsync("USER bob"), StringComparison.Ordinal);
            Assert.Equal("-ERR [AUTH] The mailbox must be connected again at http://127.0.0.1:9/oauth2/connect", await client.CommandAsync("PASS hunter 2"));
        }

        Assert.Contains(gateway.Logs.Events, e => e.Level == LogEventLevel.Warning
            && e.RenderMessage().StartsWith("Refresh token of \"bob\" was refused (\"invalid_grant", StringComparison.Ordinal));

        // A user who never connected hears the same; a wrong local password stays the ordinary refusal.
        await using (var client = await LineClient.ConnectAsync(gateway.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            await client.CommandAsync("USER alice");
            Assert.Equal("-ERR [AUTH] The mailbox must be connected again at http://127.0.0.1:9/oauth2/connect", await client.CommandAsync("PASS secret"));
            await client.CommandAsync("USER alice");
            Assert.DoesNotContain("connected again", await client.CommandAsync("PASS wrong"), StringComparison.Ordinal);
        }

        Assert.Equal(3, _dovecot.Count("alice@example.test") + _dovecot.Count("bob@example.test"));

        // What an operator alerts on, on the admin listener's Prometheus endpoint.
        using var admin = new HttpClient { BaseAddress = gateway.AdminUri };
        var metrics = await admin.GetStringAsync("metrics");
        Assert.Matches(@"pop3_upstream_oauth2_reconnect_required_total\{[^}]*oauth2_reason=""refused""[^}]*\} 1", metrics);
        Assert.Matches(@"pop3_upstream_oauth2_reconnect_required_total\{[^}]*oauth2_reason=""not_connected""[^}]*\} 1", metrics);
    }

    private Dictionary<string, string?> Settings(string grant)
    {
        var settings = TokenSourceHost.SettingsFor(_server, grant);
        settings["Pop3:Upstream:Protocol"] = "Pop3";
        settings["Pop3:Upstream:Host"] = "127.0.0.1";
        settings["Pop3:Upstream:Port"] = _dovecot.Pop3Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Pop3:Upstream:User"] = "{user}@" + TestAuthorizationServer.Tenant;
        return settings;
    }

    private static async Task<List<byte[]>> FetchAsync(GatewayFactory gateway, string user, string password)
    {
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", gateway.Pop3EndPoint.Port, MailKit.Security.SecureSocketOptions.None);
        await client.AuthenticateAsync(user, password);
        var messages = await RetrieveAllAsync(client);
        await client.DisconnectAsync(quit: true);
        return messages;
    }

    private static async Task<List<byte[]>> RetrieveAllAsync(Pop3Client client)
    {
        var messages = new List<byte[]>();
        for (var i = 0; i < client.Count; i++)
        {
            await using var stream = await client.GetStreamAsync(i);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            messages.Add(copy.ToArray());
        }

        return messages;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }
}
