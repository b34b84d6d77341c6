using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Tests.Sessions;
using static Pop3.Kestrel.Tests.Authentication.AuthUsers;

namespace Pop3.Kestrel.Tests.Authentication;

/// <summary>Signs test JWTs and says how a server should trust them (a JWKS with one symmetric key).</summary>
internal sealed class TestIssuer
{
    public const string Issuer = "https://issuer.example.org";
    public const string Audience = "pop3.example.org";

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Jwks => $$"""{"keys":[{"kty":"oct","kid":"test","alg":"HS256","use":"sig","k":"{{Base64UrlEncoder.Encode(_key)}}"}]}""";

    public Dictionary<string, string?> Settings(string? extraKey = null, string? extraValue = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Pop3:Authentication:OAuth:Issuer"] = Issuer,
            ["Pop3:Authentication:OAuth:Audience"] = Audience,
            ["Pop3:Authentication:OAuth:Jwks"] = Jwks,
        };
        if (extraKey is not null)
        {
            settings[extraKey] = extraValue;
        }

        return settings;
    }

    public string Token(DateTimeOffset now, string email = "alice@example.org", TimeSpan? lifetime = null, string issuer = Issuer, string audience = Audience, byte[]? key = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now.UtcDateTime.AddMinutes(-1),
            NotBefore = now.UtcDateTime.AddMinutes(-1),
            Expires = now.UtcDateTime + (lifetime ?? TimeSpan.FromHours(1)),
            Claims = new Dictionary<string, object> { ["email"] = email, ["sub"] = "1234" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? _key) { KeyId = "test" }, SecurityAlgorithms.HmacSha256),
        });
}

public sealed class BearerTokenTests : IDisposable
{
    private const string LoggedIn = "+OK Logged in, 0 messages (0 octets)";
    private const string Failed = "-ERR [AUTH] Authentication failed";
    private readonly AuthUsers _users = new();
    private readonly TestIssuer _issuer = new();

    public void Dispose() => _users.Dispose();

    /// <summary>A session whose server has the bearer mechanisms (<c>AddOAuthBearer</c>) beside the users file.</summary>
    private SessionHarness Harness(Dictionary<string, string?>? settings = null, Pop3ConnectionInfo? connection = null) =>
        _users.Harness(settings, connection, configure: builder => builder.AddOAuthBearer());

    private static string OAuthBearer(string token, string? user = "alice@example.org") =>
        B64($"n,{(user is null ? "" : "a=" + user)},\u0001host=pop3.example.org\u0001port=110\u0001auth=Bearer {token}\u0001\u0001");

    private static string XOAuth2(string token, string user = "alice@example.org") => B64($"user={user}\u0001auth=Bearer {token}\u0001\u0001");

    [Fact]
    public async Task Bearer_mechanisms_are_offered_only_when_configured()
    {
        await using (var plain = Harness())
        {
            await plain.ReadLineAsync();
            Assert.Equal("-ERR Unsupported authentication mechanism", await plain.CommandAsync("AUTH OAUTHBEARER"));
        }

        await using var s = Harness(_issuer.Settings());
        await s.ReadLineAsync();
        await s.SendAsync("AUTH\r\n");
        Assert.Equal("+OK\r\nPLAIN\r\nLOGIN\r\nCRAM-MD5\r\nSCRAM-SHA-256\r\nOAUTHBEARER\r\nXOAUTH2\r\n.\r\n", await s.ReadMultiLineAsync());
    }

    [Fact]
    public async Task Bearer_tokens_count_as_plaintext()
    {
        await using var s = Harness(_issuer.Settings(), connection: Remote());
        await s.ReadLineAsync();
        await s.SendAsync("AUTH\r\n");
        Assert.Equal("+OK\r\nCRAM-MD5\r\nSCRAM-SHA-256\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.Equal("-ERR [AUTH] TLS is required for plaintext authentication", await s.CommandAsync("AUTH XOAUTH2"));
    }

    [Fact]
    public async Task Oauthbearer_with_a_valid_token_logs_in_to_the_claimed_mailbox()
    {
        await using var s = Harness(_issuer.Settings());
        await s.ReadLineAsync();
        Assert.Equal(LoggedIn, await s.CommandAsync("AUTH OAUTHBEARER " + OAuthBearer(_issuer.Token(s.Time.GetUtcNow()))));
        Assert.Equal("alice@example.org", s.Session.Context!.User);
    }

    [Fact]
    public async Task Oauthbearer_without_authzid_and_without_initial_response()
    {
        await using var s = Harness(_issuer.Settings());
        await s.ReadLineAsync();
        Assert.Equal("+ ", await s.CommandAsync("AUTH OAUTHBEARER"));
        Assert.Equal(LoggedIn, await s.CommandAsync(OAuthBearer(_issuer.Token(s.Time.GetUtcNow()), user: null)));
    }

    [Fact]
    public async Task Xoauth2_with_a_valid_token_logs_in()
    {
        await using var s = Harness(_issuer.Settings());
        await s.ReadLineAsync();
        Assert.Equal(LoggedIn, await s.CommandAsync("AUTH XOAUTH2 " + XOAuth2(_issuer.Token(s.Time.GetUtcNow()))));
    }

    public static TheoryData<string> BadTokens => ["expired", "wrong key", "wrong issuer", "wrong audience", "not yet valid", "other user", "garbage"];

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Oauthbearer_failure_sends_the_rfc7628_error_then_fails(string problem)
    {
        await using var s = Harness(_issuer.Settings("Pop3:Authentication:OAuth:Scope", "pop3"));
        await s.ReadLineAsync();
        var now = s.Time.GetUtcNow();
        var token = problem switch
        {
            "expired" => _issuer.Token(now.AddHours(-2), lifetime: TimeSpan.FromMinutes(30)),
            "wrong key" => _issuer.Token(now, key: RandomNumberGenerator.GetBytes(32)),
            "wrong issuer" => _issuer.Token(now, issuer: "https://evil.example"),
            "wrong audience" => _issuer.Token(now, audience: "imap.example.org"),
            "not yet valid" => _issuer.Token(now.AddHours(1)),
            "other user" => _issuer.Token(now, email: "mallory@example.org"),
            _ => "eyJhbGciOiJub25lIn0.e30.",
        };
        Assert.Equal("+ " + B64("""{"status":"invalid_token","scope":"pop3"}"""), await s.CommandAsync("AUTH OAUTHBEARER " + OAuthBearer(token)));
        Assert.Equal(Failed, await s.CommandAsync("AQ=="));
    }

    [Fact]
    public async Task A_token_stops_working_when_it_expires_on_the_server_clock()
    {
        await using var s = Harness(_issuer.Settings(), connection: Remote(secure: true));
        await s.ReadLineAsync();
        var token = _issuer.Token(s.Time.GetUtcNow(), lifetime: TimeSpan.FromMinutes(10));
        s.Time.Advance(TimeSpan.FromMinutes(11) - TimeSpan.FromSeconds(1)); // within the default one-minute clock skew
        await using var later = new SessionHarness(connection: Remote(secure: true), shared: s.Services);
        await later.ReadLineAsync();
        Assert.Equal(LoggedIn, await later.CommandAsync("AUTH XOAUTH2 " + XOAuth2(token)));
        s.Time.Advance(TimeSpan.FromSeconds(1));
        await using var tooLate = new SessionHarness(connection: Remote(secure: true), shared: s.Services);
        await tooLate.ReadLineAsync();
        Assert.Equal("+ " + B64("""{"status":"401","schemes":"Bearer"}"""), await tooLate.CommandAsync("AUTH XOAUTH2 " + XOAuth2(token)));
        Assert.Equal(Failed, await tooLate.CommandAsync(""));
    }

    [Fact]
    public async Task Xoauth2_for_another_user_than_the_token_fails()
    {
        await using var s = Harness(_issuer.Settings());
        await s.ReadLineAsync();
        Assert.Equal("+ " + B64("""{"status":"401","schemes":"Bearer"}"""), await s.CommandAsync("AUTH XOAUTH2 " + XOAuth2(_issuer.Token(s.Time.GetUtcNow()), "bob@example.org")));
        Assert.Equal(Failed, await s.CommandAsync(""));
    }

    [Theory]
    [InlineData("n,,auth=Bearer abc\u0001\u0001")] // no ^A after the gs2 header
    [InlineData("n,,\u0001auth=Bearer abc\u0001")] // not closed by ^A^A
    [InlineData("n,,\u0001auth=Basic abc\u0001\u0001")] // not a bearer token
    [InlineData("n,,\u0001host=x\u0001\u0001")] // no token
    [InlineData("n,a=al=2Xice,\u0001auth=Bearer abc\u0001\u0001")] // '=' escapes only ',' and '=' in a saslname
    [InlineData("n,a=alice=,\u0001auth=Bearer abc\u0001\u0001")] // a bare '=' at the end
    public async Task Malformed_oauthbearer_messages_are_errors(string message)
    {
        await using var s = Harness(_issuer.Settings());
        await s.ReadLineAsync();
        Assert.Equal("-ERR Malformed SASL response", await s.CommandAsync("AUTH OAUTHBEARER " + B64(message)));
    }

    [Theory]
    [InlineData("a=alice@example.org", "alice@example.org")]
    [InlineData("a=al=2Cice=3D=3D2C", "al,ice==2C")]
    [InlineData("", null)]
    public void The_authorization_identity_is_a_saslname(string authzid, string? user)
    {
        Assert.True(Pop3.Kestrel.OAuthBearer.OAuthBearerMechanism.Parse($"n,{authzid},\u0001auth=Bearer abc\u0001\u0001", out var claimed, out var token));
        Assert.Equal(user, claimed);
        Assert.Equal("abc", token);
    }

    [Fact]
    public async Task Signing_keys_can_come_from_a_jwks_file()
    {
        var path = Path.Combine(Path.GetDirectoryName(_users.Path)!, "jwks.json");
        await File.WriteAllTextAsync(path, _issuer.Jwks);
        var settings = _issuer.Settings();
        settings.Remove("Pop3:Authentication:OAuth:Jwks");
        settings["Pop3:Authentication:OAuth:JwksFile"] = path;
        await using var s = Harness(settings);
        await s.ReadLineAsync();
        Assert.Equal(LoggedIn, await s.CommandAsync("AUTH OAUTHBEARER " + OAuthBearer(_issuer.Token(s.Time.GetUtcNow()))));
    }
}
