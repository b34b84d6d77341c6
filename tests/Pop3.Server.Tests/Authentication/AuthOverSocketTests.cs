using System.Net;
using System.Security.Cryptography;
using System.Text;
using MailKit.Net.Pop3;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.UsersFile;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Authentication;

/// <summary>Every login method through real clients (MailKit, curl, Python's poplib) over real sockets, against a users file.</summary>
public sealed class AuthOverSocketTests : IAsyncLifetime
{
    private const string Message = "Subject: hello\r\n\r\nbody\r\n";
    private const string Issuer = "https://issuer.example.org";
    private const string Audience = "pop3.example.org";

    private readonly string _directory = Directory.CreateTempSubdirectory("pop3-auth-socket-").FullName;
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private readonly InMemoryMailStore _store = new();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        var users = Path.Combine(_directory, "users");
        File.WriteAllLines(users,
        [
            "alice:{PLAIN}secret",
            "user:" + ScramEntry("pencil"),
            "carol:{CRAM-MD5}" + Convert.ToHexStringLower(CramContext("wonderland")),
        ]);
        foreach (var mailbox in new[] { "alice", "user", "carol", "alice@example.org" })
        {
            _store.Add(mailbox, Encoding.ASCII.GetBytes(Message));
        }

        _server
            .With("Pop3:Authentication:Apop", "true")
            .With("Pop3:Authentication:OAuth:Issuer", Issuer)
            .With("Pop3:Authentication:OAuth:Audience", Audience)
            .With("Pop3:Authentication:OAuth:Jwks", $$"""{"keys":[{"kty":"oct","kid":"k","k":"{{Base64UrlEncoder.Encode(_signingKey)}}"}]}""")
            .WithServices(services =>
            {
                var builder = new Pop3ServerBuilder(services).AddInMemoryMaildrop();
                services.AddSingleton(_store);
                builder.AddUsersFile(options => options.UsersFile = users);
            });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private string Token(string email = "alice@example.org") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddMinutes(10),
            Claims = new Dictionary<string, object> { ["email"] = email },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(_signingKey), SecurityAlgorithms.HmacSha256),
        });

    private async Task<Pop3Client> ConnectAsync()
    {
        var client = new Pop3Client();
        await client.ConnectAsync(_server.Pop3EndPoint.Address.ToString(), _server.Pop3EndPoint.Port, SecureSocketOptions.None);
        return client;
    }

    [Fact]
    public async Task Mailkit_sees_every_mechanism_and_apop()
    {
        using var client = await ConnectAsync();
        Assert.Equal(["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "OAUTHBEARER", "XOAUTH2"], client.AuthenticationMechanisms.ToArray());
        Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.Apop));
        Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.UTF8));
        await client.DisconnectAsync(true);
    }

    public static TheoryData<string> Mechanisms => ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "OAUTHBEARER", "XOAUTH2"];

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public async Task Mailkit_logs_in_with_each_mechanism(string name)
    {
        using var client = await ConnectAsync();
        SaslMechanism mechanism = name switch
        {
            "PLAIN" => new SaslMechanismPlain("alice", "secret"),
            "LOGIN" => new SaslMechanismLogin("alice", "secret"),
            "CRAM-MD5" => new SaslMechanismCramMd5("carol", "wonderland"),
            "SCRAM-SHA-256" => new SaslMechanismScramSha256("user", "pencil"),
            "OAUTHBEARER" => new SaslMechanismOAuthBearer("alice@example.org", Token()),
            _ => new SaslMechanismOAuth2("alice@example.org", Token()),
        };
        await client.AuthenticateAsync(mechanism);
        Assert.True(client.IsAuthenticated);
        Assert.Equal(1, client.Count);
        await client.DisconnectAsync(true);
    }

    [Theory]
    [MemberData(nameof(Mechanisms))]
    public async Task Mailkit_is_refused_with_wrong_credentials_for_each_mechanism(string name)
    {
        using var client = await ConnectAsync();
        SaslMechanism mechanism = name switch
        {
            "PLAIN" => new SaslMechanismPlain("alice", "wrong"),
            "LOGIN" => new SaslMechanismLogin("nobody", "secret"),
            "CRAM-MD5" => new SaslMechanismCramMd5("carol", "wrong"),
            "SCRAM-SHA-256" => new SaslMechanismScramSha256("user", "wrong"),
            "OAUTHBEARER" => new SaslMechanismOAuthBearer("alice@example.org", Token("bob@example.org")),
            _ => new SaslMechanismOAuth2("alice@example.org", "not-a-token"),
        };
        if (name is "OAUTHBEARER" or "XOAUTH2")
        {
            // The server sends the RFC 7628 error as a last challenge; MailKit does not answer it and gives up.
            await Assert.ThrowsAsync<Pop3ProtocolException>(() => client.AuthenticateAsync(mechanism));
        }
        else
        {
            await Assert.ThrowsAsync<AuthenticationException>(() => client.AuthenticateAsync(mechanism));
        }

        Assert.False(client.IsAuthenticated);
    }

    [Theory]
    [InlineData("alice", "secret")] // {PLAIN}: SCRAM keys are derived from the password
    [InlineData("user", "pencil")] // {SCRAM-SHA-256}
    public async Task Mailkit_picks_scram_by_itself_and_logs_in(string user, string password)
    {
        using var client = await ConnectAsync();
        await client.AuthenticateAsync(new NetworkCredential(user, password));
        Assert.Equal(1, client.Count);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Mailkit_uses_apop_when_sasl_is_taken_away()
    {
        using var client = await ConnectAsync();
        client.AuthenticationMechanisms.Clear();
        await client.AuthenticateAsync(new NetworkCredential("alice", "secret"));
        Assert.Equal(1, client.Count);
        await client.DisconnectAsync(true);
    }

    [Theory]
    [InlineData("AUTH=PLAIN", "alice:secret")]
    [InlineData("AUTH=LOGIN", "alice:secret")]
    [InlineData("AUTH=CRAM-MD5", "carol:wonderland")]
    [InlineData("AUTH=+APOP", "alice:secret")]
    [Trait("Category", "Interop")]
    public async Task Curl_logs_in_and_lists(string loginOptions, string credentials)
    {
        var endPoint = _server.Pop3EndPoint;
        var (exit, output, error) = await ExternalTool.RunAsync("curl", "curl", _directory, "-sS", "--max-time", "30", "--login-options", loginOptions, "-u", credentials, $"pop3://{endPoint}/");
        Assert.True(exit == 0, error);
        Assert.Equal($"1 {Message.Length}\r\n", output);
    }

    [Theory]
    [InlineData("AUTH=OAUTHBEARER")]
    [InlineData("AUTH=XOAUTH2")]
    [Trait("Category", "Interop")]
    public async Task Curl_logs_in_with_a_bearer_token(string loginOptions)
    {
        var endPoint = _server.Pop3EndPoint;
        var (exit, output, error) = await ExternalTool.RunAsync("curl", "curl", _directory, "-sS", "--max-time", "30", "--login-options", loginOptions, "-u", "alice@example.org:", "--oauth2-bearer", Token(), $"pop3://{endPoint}/");
        Assert.True(exit == 0, error);
        Assert.Equal($"1 {Message.Length}\r\n", output);
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Curl_with_a_wrong_password_fails_to_log_in()
    {
        var (exit, _, _) = await ExternalTool.RunAsync("curl", "curl", _directory, "-sS", "--max-time", "30", "--login-options", "AUTH=PLAIN", "-u", "alice:wrong", $"pop3://{_server.Pop3EndPoint}/");
        Assert.Equal(67, exit); // CURLE_LOGIN_DENIED
    }

    [Theory]
    [InlineData("p.apop('alice', 'secret')")]
    [InlineData("p.user('alice'); p.pass_('secret')")]
    [Trait("Category", "Interop")]
    public async Task Python_poplib_logs_in(string login)
    {
        var endPoint = _server.Pop3EndPoint;
        var script = $"import poplib\np = poplib.POP3('{endPoint.Address}', {endPoint.Port}, timeout=30)\n{login}\nprint(p.stat())\np.quit()\n";
        var (exit, output, error) = await ExternalTool.RunAsync("python3", "python3", _directory, "-c", script);
        Assert.True(exit == 0, error);
        Assert.Equal($"(1, {Message.Length})\n", output);
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Python_poplib_apop_with_a_wrong_password_is_refused()
    {
        var endPoint = _server.Pop3EndPoint;
        var script = $"import poplib\np = poplib.POP3('{endPoint.Address}', {endPoint.Port}, timeout=30)\ntry:\n    p.apop('alice', 'wrong')\nexcept poplib.error_proto as e:\n    print(e)\n";
        var (exit, output, error) = await ExternalTool.RunAsync("python3", "python3", _directory, "-c", script);
        Assert.True(exit == 0, error);
        Assert.Equal("b'-ERR [AUTH] Authentication failed'\n", output);
    }

    private static string ScramEntry(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, 4096, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"{{SCRAM-SHA-256}}4096,{Convert.ToBase64String(salt)},{Convert.ToBase64String(storedKey)},{Convert.ToBase64String(serverKey)}";
    }

    private static byte[] CramContext(string password) => Pop3.Kestrel.UsersFile.Pop3PasswordSchemes.Hash("CRAM-MD5", password) is var stored
        ? Convert.FromHexString(stored["{CRAM-MD5}".Length..])
        : [];
}

/// <summary>Connection limits and bans, refused at connect over a real socket.</summary>
public sealed class ConnectionGateOverSocketTests : IAsyncLifetime
{
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _server.WithInMemoryMail(new InMemoryMailStore())
            .With("Pop3:Limits:MaxConnectionsPerIp", "1")
            .With("Pop3:Authentication:BanAfterFailures", "2");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_connection_over_the_per_address_limit_evicts_the_address_oldest_unauthenticated_one()
    {
        await using (var first = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint))
        {
            Assert.Equal("+OK Pop3.Kestrel ready", await first.ReadLineAsync());
            await using var second = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
            Assert.Equal("+OK Pop3.Kestrel ready", await second.ReadLineAsync());
            Assert.Equal("-ERR [SYS/TEMP] Too many connections waiting to log in, closing the oldest\r\n", await first.ReadToEndAsync());
            Assert.Equal("+OK Logging out", await second.CommandAsync("QUIT"));
            Assert.Equal("", await second.ReadToEndAsync());
        }

        // The place is given back when the connection ends.
        var gate = _server.Services.GetRequiredService<Pop3.Kestrel.Connections.Pop3ConnectionGate>();
        var giveUp = System.Diagnostics.Stopwatch.StartNew();
        while (gate.OpenConnections > 0 && giveUp.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Yield();
        }

        Assert.Equal(0, gate.OpenConnections);
    }

    [Fact]
    public async Task Failed_logins_ban_the_address_at_connect()
    {
        await using (var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            await client.CommandAsync("USER alice");
            Assert.Equal("-ERR [AUTH] Authentication failed", await client.CommandAsync("PASS wrong"));
            await client.CommandAsync("USER alice");
            Assert.Equal("-ERR [AUTH] Authentication failed", await client.CommandAsync("PASS wrong"));
            Assert.Equal("+OK Logging out", await client.CommandAsync("QUIT"));
            Assert.Equal("", await client.ReadToEndAsync());
        }

        await using var banned = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        Assert.Equal("-ERR [SYS/TEMP] Too many failed logins from your address, try again later\r\n", await banned.ReadToEndAsync());
    }
}
