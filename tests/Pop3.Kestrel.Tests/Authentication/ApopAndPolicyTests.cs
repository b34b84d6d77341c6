using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using static Pop3.Kestrel.Tests.Authentication.AuthUsers;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed partial class ApopAndPolicyTests : IDisposable
{
    private const string LoggedIn = "+OK Logged in, 0 messages (0 octets)";
    private const string Failed = "-ERR [AUTH] Authentication failed";
    private const string TlsRequired = "-ERR [AUTH] TLS is required for plaintext authentication";
    private static readonly Dictionary<string, string?> ApopOn = new() { ["Pop3:Authentication:Apop"] = "true" };
    private readonly AuthUsers _users = new();

    public void Dispose() => _users.Dispose();

    [GeneratedRegex(@"^\+OK Pop3\.Kestrel ready (<[0-9a-f]{16}\.\d+@[a-z0-9.-]+>)$")]
    private static partial Regex ApopGreeting();

    private static string Digest(string timestamp, string password) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(timestamp + password)));

    [Fact]
    public async Task Apop_greeting_carries_a_timestamp_and_the_digest_logs_in()
    {
        await using var s = _users.Harness(ApopOn);
        var timestamp = ApopGreeting().Match(await s.ReadLineAsync()).Groups[1].Value;
        Assert.NotEmpty(timestamp);
        Assert.Equal(LoggedIn, await s.CommandAsync($"APOP alice {Digest(timestamp, "secret")}"));
    }

    [Fact]
    public async Task Apop_rfc1939_digest_is_accepted_in_upper_case_hex_too()
    {
        await using var s = _users.Harness(ApopOn);
        var timestamp = ApopGreeting().Match(await s.ReadLineAsync()).Groups[1].Value;
        Assert.Equal(LoggedIn, await s.CommandAsync($"APOP tim {Digest(timestamp, "tanstaaftanstaaf").ToUpperInvariant()}"));
    }

    [Fact]
    public async Task Every_connection_gets_a_different_timestamp_and_a_replayed_digest_fails()
    {
        string digest;
        string first;
        await using (var a = _users.Harness(ApopOn))
        {
            first = ApopGreeting().Match(await a.ReadLineAsync()).Groups[1].Value;
            digest = Digest(first, "secret");
        }

        await using var b = _users.Harness(ApopOn);
        var second = ApopGreeting().Match(await b.ReadLineAsync()).Groups[1].Value;
        Assert.NotEqual(first, second);
        Assert.Equal(Failed, await b.CommandAsync($"APOP alice {digest}"));
    }

    [Theory]
    [InlineData("alice", "wrong")]
    [InlineData("nobody", "secret")]
    [InlineData("dave", "hashed")] // a hash APOP cannot use
    public async Task Apop_wrong_digest_unknown_user_and_unusable_hash_fail_alike(string user, string password)
    {
        await using var s = _users.Harness(ApopOn);
        var timestamp = ApopGreeting().Match(await s.ReadLineAsync()).Groups[1].Value;
        Assert.Equal(Failed, await s.CommandAsync($"APOP {user} {Digest(timestamp, password)}"));
    }

    [Fact]
    public async Task Apop_syntax_errors_are_reported()
    {
        await using var s = _users.Harness(ApopOn);
        await s.ReadLineAsync();
        Assert.Equal("-ERR Syntax: APOP name digest", await s.CommandAsync("APOP alice"));
        Assert.Equal("-ERR Syntax: APOP name digest", await s.CommandAsync("APOP alice 0123"));
        Assert.Equal("-ERR Syntax: APOP name digest", await s.CommandAsync("APOP alice " + new string('g', 32)));
    }

    [Fact]
    public async Task Without_the_setting_there_is_no_timestamp_and_apop_is_unavailable()
    {
        await using var s = _users.Harness();
        Assert.Equal("+OK Pop3.Kestrel ready", await s.ReadLineAsync());
        Assert.Equal("-ERR APOP is not available", await s.CommandAsync("APOP alice " + new string('0', 32)));
    }

    [Fact]
    public async Task Apop_is_not_offered_when_no_plaintext_password_is_stored()
    {
        using var hashed = new AuthUsers(onlyHashes: true);
        await using var s = hashed.Harness(ApopOn);
        Assert.Equal("+OK Pop3.Kestrel ready", await s.ReadLineAsync());
        Assert.Equal("-ERR APOP is not available", await s.CommandAsync("APOP dave " + new string('0', 32)));
    }

    [Fact]
    public async Task Utf8_lets_user_pass_and_apop_use_utf8()
    {
        await using var s = _users.Harness(ApopOn);
        var timestamp = ApopGreeting().Match(await s.ReadLineAsync()).Groups[1].Value;
        await s.SendAsync(Encoding.UTF8.GetBytes("USER jürgen\r\n"));
        Assert.Equal("-ERR Syntax: USER name", await s.ReadLineAsync());
        Assert.Equal("+OK UTF8 enabled", await s.CommandAsync("UTF8"));
        await s.SendAsync(Encoding.UTF8.GetBytes($"APOP jürgen {Digest(timestamp, "grüße")}\r\n"));
        Assert.Equal(LoggedIn, await s.ReadLineAsync());
    }

    [Fact]
    public async Task After_utf8_invalid_utf8_is_an_error_and_user_pass_work()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        Assert.Equal("-ERR This command takes no arguments", await s.CommandAsync("UTF8 now"));
        Assert.Equal("+OK UTF8 enabled", await s.CommandAsync("UTF8"));
        await s.SendAsync([.. "USER j"u8, 0xC3, 0x28, .. "\r\n"u8]);
        Assert.Equal("-ERR Syntax: USER name", await s.ReadLineAsync());
        await s.SendAsync(Encoding.UTF8.GetBytes("USER jürgen\r\nPASS grüße\r\n"));
        Assert.Equal("+OK Send your password", await s.ReadLineAsync());
        Assert.Equal(LoggedIn, await s.ReadLineAsync());
    }

    [Fact]
    public async Task Plaintext_is_refused_and_not_advertised_on_an_unencrypted_remote_connection()
    {
        await using var s = _users.Harness(connection: Remote());
        await s.ReadLineAsync();
        await s.SendAsync("CAPA\r\n");
        Assert.Equal(
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nEXPIRE NEVER\r\nSASL CRAM-MD5 SCRAM-SHA-256\r\nUTF8\r\n.\r\n",
            await s.ReadMultiLineAsync());
        await s.SendAsync("AUTH\r\n");
        Assert.Equal("+OK\r\nCRAM-MD5\r\nSCRAM-SHA-256\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.Equal(TlsRequired, await s.CommandAsync("USER alice"));
        Assert.Equal(TlsRequired, await s.CommandAsync("PASS secret"));
        Assert.Equal(TlsRequired, await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        Assert.Equal(TlsRequired, await s.CommandAsync("AUTH LOGIN"));
        var challenge = Unb64((await s.CommandAsync("AUTH CRAM-MD5"))[2..]);
        var digest = Convert.ToHexStringLower(HMACMD5.HashData("secret"u8, Encoding.ASCII.GetBytes(challenge)));
        Assert.Equal(LoggedIn, await s.CommandAsync(B64("alice " + digest)));
    }

    [Fact]
    public async Task Plaintext_is_allowed_on_an_encrypted_remote_connection()
    {
        await using var s = _users.Harness(connection: Remote(secure: true));
        await s.ReadLineAsync();
        await s.SendAsync("CAPA\r\n");
        var capa = await s.ReadMultiLineAsync();
        Assert.Contains("\r\nUSER\r\n", capa);
        Assert.Contains("\r\nSASL PLAIN LOGIN CRAM-MD5 SCRAM-SHA-256\r\n", capa);
        Assert.Equal(LoggedIn, await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
    }

    [Fact]
    public async Task Never_refuses_plaintext_even_from_loopback()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:AllowPlaintext"] = "Never" });
        await s.ReadLineAsync();
        Assert.Equal(TlsRequired, await s.CommandAsync("USER alice"));
        Assert.Equal(TlsRequired, await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
    }

    [Fact]
    public async Task Always_allows_plaintext_from_anywhere()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:AllowPlaintext"] = "Always" }, connection: Remote());
        await s.ReadLineAsync();
        Assert.Equal("+OK Send your password", await s.CommandAsync("USER alice"));
        Assert.Equal(LoggedIn, await s.CommandAsync("PASS secret"));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("::ffff:192.0.2.7", false)]
    [InlineData("2001:db8::1", false)]
    public void Loopback_policy_means_loopback_addresses(string address, bool allowed)
    {
        var options = new Pop3.Kestrel.Authentication.Pop3AuthenticationOptions();
        Assert.Equal(allowed, options.AllowsPlaintext(Remote(address)));
        Assert.True(options.AllowsPlaintext(Remote(address, secure: true)));
    }
}
