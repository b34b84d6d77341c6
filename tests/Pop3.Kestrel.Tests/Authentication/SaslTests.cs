using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.UsersFile;
using Pop3.Kestrel.UsersFile.PasswordSchemes;
using static Pop3.Kestrel.Tests.Authentication.AuthUsers;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed class SaslTests : IDisposable
{
    private const string LoggedIn = "+OK Logged in, 0 messages (0 octets)";
    private const string Failed = "-ERR [AUTH] Authentication failed";
    private readonly AuthUsers _users = new();

    public void Dispose() => _users.Dispose();

    [Fact]
    public async Task Bare_auth_lists_the_mechanisms_usable_now()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        await s.SendAsync("AUTH\r\n");
        Assert.Equal("+OK\r\nPLAIN\r\nLOGIN\r\nCRAM-MD5\r\nSCRAM-SHA-256\r\n.\r\n", await s.ReadMultiLineAsync());
    }

    [Fact]
    public async Task Capa_lists_sasl_mechanisms_before_login_only()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        await s.SendAsync("CAPA\r\n");
        var before = await s.ReadMultiLineAsync();
        Assert.Contains("\r\nUSER\r\n", before);
        Assert.Contains("\r\nSASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256\r\nUTF8\r\n", before);
        await s.CommandAsync("USER alice");
        Assert.Equal(LoggedIn, await s.CommandAsync("PASS secret"));
        await s.SendAsync("CAPA\r\n");
        Assert.DoesNotContain("SASL", await s.ReadMultiLineAsync());
    }

    [Fact]
    public async Task Mechanisms_setting_limits_and_orders_what_is_offered()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:Mechanisms"] = "scram-sha-256, PLAIN" });
        await s.ReadLineAsync();
        await s.SendAsync("AUTH\r\n");
        Assert.Equal("+OK\r\nSCRAM-SHA-256\r\nPLAIN\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.Equal("-ERR Unsupported authentication mechanism", await s.CommandAsync("AUTH LOGIN"));
    }

    [Fact]
    public async Task Only_hashed_passwords_offer_neither_cram_md5_nor_scram()
    {
        using var hashed = new AuthUsers(onlyHashes: true);
        await using var s = hashed.Harness();
        await s.ReadLineAsync();
        await s.SendAsync("AUTH\r\n");
        Assert.Equal("+OK\r\nPLAIN\r\nLOGIN\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.Equal("-ERR Unsupported authentication mechanism", await s.CommandAsync("AUTH CRAM-MD5"));
    }

    [Fact]
    public async Task Plain_with_initial_response_logs_in_rfc4616_example()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        // RFC 4616 §4: "\0tim\0tanstaaftanstaaf".
        Assert.Equal(LoggedIn, await s.CommandAsync("AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm"));
        Assert.Equal("tim", s.Session.Context!.User);
    }

    [Fact]
    public async Task Plain_without_initial_response_gets_an_empty_challenge()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal("+ ", await s.CommandAsync("auth plain"));
        Assert.Equal(LoggedIn, await s.CommandAsync(B64("alice\0alice\0secret")));
    }

    [Fact]
    public async Task Plain_with_another_authorization_identity_fails_like_a_wrong_password()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        // RFC 4616 §4's second example asks to act as another user: no master users here.
        Assert.Equal(Failed, await s.CommandAsync("AUTH PLAIN " + B64("Ursel\0alice\0secret")));
        Assert.Equal(Failed, await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0wrong")));
    }

    [Fact]
    public async Task A_master_user_policy_lets_an_approved_user_log_in_as_another_after_its_own_password()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:MaxAttempts"] = "5" }, configure: b => b.AddMasterUserPolicy<AliceIsMaster>());
        await s.ReadLineAsync();
        Assert.Equal(Failed, await s.CommandAsync("AUTH PLAIN " + B64("tim\0alice\0wrong")));
        Assert.Equal(Failed, await s.CommandAsync("AUTH PLAIN " + B64("alice\0dave\0hashed")));
        Assert.Equal(LoggedIn, await s.CommandAsync("AUTH PLAIN " + B64("tim\0alice\0secret")));
        Assert.Equal("tim", s.Session.Context!.User);
    }

    private sealed class AliceIsMaster : IPop3MasterUserPolicy
    {
        public ValueTask<bool> MayLogInAsAsync(string authenticatedUser, string authorizationIdentity, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(authenticatedUser == "alice");
    }

    [Fact]
    public async Task Unknown_mechanism_names_in_configuration_stop_start_up()
    {
        await using var s = _users.Harness();
        var validator = s.Services.GetServices<Microsoft.Extensions.Options.IValidateOptions<Pop3AuthenticationOptions>>().OfType<Pop3AuthenticationOptionsValidator>().Single();
        var result = validator.Validate(null, new Pop3AuthenticationOptions { Mechanisms = ["PLAIN GSSAPI"], MaxAttempts = 0 });
        Assert.True(result.Failed);
        Assert.Contains("Pop3:Authentication:Mechanisms: unknown mechanism 'GSSAPI' (known: PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256 EXTERNAL).", result.Failures);
        Assert.Contains("Pop3:Authentication:MaxAttempts must be at least 1.", result.Failures);
    }

    [Theory]
    [InlineData("=")]
    [InlineData("YWxpY2U=")] // "alice": no NULs
    [InlineData("AGFsaWNlAA==")] // "\0alice\0": empty password
    public async Task Malformed_plain_messages_are_errors(string initial)
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal("-ERR Malformed SASL response", await s.CommandAsync("AUTH PLAIN " + initial));
    }

    [Fact]
    public async Task Plain_fields_longer_than_255_octets_are_malformed()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal("-ERR Malformed SASL response", await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0" + new string('x', 256))));
    }

    [Fact]
    public async Task Star_cancels_and_bad_base64_is_an_error()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:MaxAttempts"] = "10" });
        await s.ReadLineAsync();
        Assert.Equal("+ ", await s.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Authentication cancelled", await s.CommandAsync("*"));
        Assert.Equal("-ERR Invalid base64 data", await s.CommandAsync("AUTH PLAIN not*base64"));
        Assert.Equal("-ERR Invalid base64 data", await s.CommandAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA"));
        Assert.Equal("+ ", await s.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Invalid base64 data", await s.CommandAsync("AGFs aWNl"));
        Assert.Equal("-ERR Unsupported authentication mechanism", await s.CommandAsync("AUTH KERBEROS_V4"));
        Assert.Equal("-ERR Syntax: AUTH mechanism [initial-response]", await s.CommandAsync("AUTH  PLAIN"));
        // The session is still usable.
        Assert.Equal(LoggedIn, await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
    }

    [Fact]
    public async Task Auth_initial_response_may_exceed_255_octets()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        var line = "AUTH PLAIN " + B64("\0alice\0" + new string('p', 250));
        Assert.True(line.Length > 255);
        Assert.Equal(Failed, await s.CommandAsync(line));
    }

    [Fact]
    public async Task Auth_lines_over_8_kib_are_refused_and_the_session_goes_on()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:MaxAttempts"] = "5" });
        await s.ReadLineAsync();
        Assert.Equal("-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)", await s.CommandAsync("AUTH PLAIN " + new string('A', 8200)));
        Assert.Equal("+ ", await s.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)", await s.CommandAsync(new string('A', 8200)));
        Assert.Equal("+ ", await s.CommandAsync("AUTH PLAIN"));
        Assert.Equal(LoggedIn, await s.CommandAsync(B64("\0alice\0secret")));
    }

    [Fact]
    public async Task Login_asks_username_then_password()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal("+ VXNlcm5hbWU6", await s.CommandAsync("AUTH LOGIN"));
        Assert.Equal("+ UGFzc3dvcmQ6", await s.CommandAsync(B64("alice")));
        Assert.Equal(LoggedIn, await s.CommandAsync(B64("secret")));
    }

    [Fact]
    public async Task Login_takes_an_initial_response_as_the_username()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal("+ UGFzc3dvcmQ6", await s.CommandAsync("AUTH LOGIN " + B64("dave")));
        Assert.Equal(LoggedIn, await s.CommandAsync(B64("hashed")));
    }

    [Fact]
    public async Task Cram_md5_rfc2195_example()
    {
        await using var s = _users.Harness(beforeStart: services =>
            services.GetServices<IPop3SaslMechanism>().OfType<CramMd5Mechanism>().Single().ChallengeFactory = () => "<1896.697170952@postoffice.reston.mci.net>");
        await s.ReadLineAsync();
        Assert.Equal("+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", await s.CommandAsync("AUTH CRAM-MD5"));
        Assert.Equal(LoggedIn, await s.CommandAsync("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"));
    }

    [Fact]
    public async Task Cram_md5_works_from_a_stored_cram_md5_context_and_takes_upper_case_hex()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        var challenge = Unb64((await s.CommandAsync("AUTH CRAM-MD5"))[2..]);
        Assert.Matches(@"^<[0-9a-f]{16}\.\d+@[a-z0-9.-]+>$", challenge);
        var digest = Convert.ToHexString(HMACMD5.HashData("wonderland"u8, Encoding.ASCII.GetBytes(challenge)));
        Assert.Equal(LoggedIn, await s.CommandAsync(B64("carol " + digest)));
    }

    [Theory]
    [InlineData("tim", "wrong")]
    [InlineData("nobody", "tanstaaftanstaaf")]
    [InlineData("dave", "hashed")] // stored as a hash CRAM-MD5 cannot use
    public async Task Cram_md5_wrong_digest_unknown_user_and_unusable_hash_fail_alike(string user, string password)
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        var challenge = Unb64((await s.CommandAsync("AUTH CRAM-MD5"))[2..]);
        var digest = Convert.ToHexStringLower(HMACMD5.HashData(Encoding.UTF8.GetBytes(password), Encoding.ASCII.GetBytes(challenge)));
        Assert.Equal(Failed, await s.CommandAsync(B64(user + " " + digest)));
    }

    [Fact]
    public async Task Cram_md5_refuses_an_initial_response()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal("-ERR Malformed SASL response", await s.CommandAsync("AUTH CRAM-MD5 " + B64("tim 0123")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(55)]
    [InlineData(56)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    public void Hmac_md5_finished_from_a_context_equals_hmac_md5(int length)
    {
        var message = RandomNumberGenerator.GetBytes(length);
        var context = IPop3SecretProvider.ComputeCramMd5Context("tanstaaftanstaaf"u8);
        Assert.Equal(HMACMD5.HashData("tanstaaftanstaaf"u8, message), CramMd5Mechanism.HmacMd5(context, message));
    }

    [Fact]
    public async Task Scram_sha_256_rfc7677_example()
    {
        await using var s = _users.Harness(beforeStart: services =>
            services.GetServices<IPop3SaslMechanism>().OfType<ScramSha256Mechanism>().Single().NonceFactory = () => "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        await s.ReadLineAsync();
        Assert.Equal("+ ", await s.CommandAsync("AUTH SCRAM-SHA-256"));
        var serverFirst = await s.CommandAsync(B64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        Assert.Equal("+ " + B64("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), serverFirst);
        var serverFinal = await s.CommandAsync(B64("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
        Assert.Equal("+ " + B64("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), serverFinal);
        Assert.Equal(LoggedIn, await s.CommandAsync(""));
        Assert.Equal("user", s.Session.Context!.User);
    }

    [Fact]
    public async Task Scram_sha_256_wrong_proof_fails()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        var serverFirst = Unb64((await s.CommandAsync("AUTH SCRAM-SHA-256 " + B64("n,,n=user,r=abcdefgh")))[2..]);
        var nonce = serverFirst.Split(',')[0][2..];
        Assert.StartsWith("abcdefgh", nonce);
        Assert.Equal(Failed, await s.CommandAsync(B64($"c=biws,r={nonce},p=" + Convert.ToBase64String(new byte[32]))));
    }

    [Fact]
    public async Task Scram_sha_256_for_an_unknown_user_answers_with_a_stable_salt_and_the_default_count()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:MaxAttempts"] = "10" });
        await s.ReadLineAsync();
        var first = Unb64((await s.CommandAsync("AUTH SCRAM-SHA-256 " + B64("n,,n=nobody,r=abc")))[2..]);
        Assert.Equal("-ERR Authentication cancelled", await s.CommandAsync("*"));
        var again = Unb64((await s.CommandAsync("AUTH SCRAM-SHA-256 " + B64("n,,n=nobody,r=abc")))[2..]);
        Assert.Matches("^r=abc[A-Za-z0-9+/=]+,s=[A-Za-z0-9+/]{22}==,i=4096$", first);
        Assert.Equal(first.Split(',')[1], again.Split(',')[1]);
        var nonce = again.Split(',')[0][2..];
        Assert.Equal(Failed, await s.CommandAsync(B64($"c=biws,r={nonce},p=" + Convert.ToBase64String(new byte[32]))));
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc", Failed)] // channel binding required by the client: not offered
    [InlineData("x,,n=user,r=abc", "-ERR Malformed SASL response")]
    [InlineData("n,,r=abc", "-ERR Malformed SASL response")]
    [InlineData("n,,n=us=er,r=abc", "-ERR Malformed SASL response")]
    public async Task Scram_sha_256_rejects_bad_client_first_messages(string clientFirst, string reply)
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal(reply, await s.CommandAsync("AUTH SCRAM-SHA-256 " + B64(clientFirst)));
    }

    [Fact]
    public async Task Scram_sha_256_final_message_must_repeat_the_nonce_and_header()
    {
        await using var s = _users.Harness(beforeStart: services =>
            services.GetServices<IPop3SaslMechanism>().OfType<ScramSha256Mechanism>().Single().NonceFactory = () => "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        await s.ReadLineAsync();
        await s.CommandAsync("AUTH SCRAM-SHA-256 " + B64("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
        // The RFC's proof, but with a different channel-binding field: the proof no longer matches either.
        Assert.Equal(Failed, await s.CommandAsync(B64("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")));
    }
}
