using System.Globalization;
using System.Text;
using MailKit.Net.Pop3;
using MailKit.Security;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>
/// With <c>Pop3:Upstream:Password</c> empty the client's own password is passed upstream, whatever login carried it:
/// USER/PASS, AUTH PLAIN, AUTH LOGIN. Logins that carry no reusable password are not offered.
/// </summary>
public sealed class UpstreamPassThroughTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pop3-pass-through-").FullName;
    private readonly InMemoryMailStore _upstreamMail = new();
    private readonly Pop3ServerFactory _upstream = new();
    private Pop3ServerFactory _gateway = null!;

    public Task InitializeAsync()
    {
        _upstreamMail.Add("alice", "Subject: upstream\r\n\r\nfrom the upstream\r\n"u8.ToArray());
        _upstream.WithInMemoryMail(_upstreamMail);

        // The gateway's own users file knows alice's password in plaintext, so it could serve CRAM-MD5, SCRAM and APOP.
        File.WriteAllLines(Path.Combine(_directory, "users"), ["alice:{PLAIN}secret"]);
        _gateway = Gateway();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    public static TheoryData<string> Logins => ["PLAIN", "LOGIN", "USER/PASS", "MailKit's own choice"];

    [Theory]
    [MemberData(nameof(Logins))]
    public async Task The_clients_password_reaches_the_upstream_whatever_login_carried_it(string login)
    {
        using var client = new Pop3Client();
        await client.ConnectAsync(_gateway.Pop3EndPoint.Address.ToString(), _gateway.Pop3EndPoint.Port, SecureSocketOptions.None);
        switch (login)
        {
            case "PLAIN":
                await client.AuthenticateAsync(new SaslMechanismPlain("alice", "secret"));
                break;
            case "LOGIN":
                await client.AuthenticateAsync(new SaslMechanismLogin("alice", "secret"));
                break;
            case "USER/PASS":
                client.AuthenticationMechanisms.Clear();
                await client.AuthenticateAsync("alice", "secret");
                break;
            default:
                await client.AuthenticateAsync("alice", "secret");
                break;
        }

        Assert.Equal(1, client.Count);
        using var message = await client.GetStreamAsync(0);
        using var body = new MemoryStream();
        await message.CopyToAsync(body);
        Assert.Equal("Subject: upstream\r\n\r\nfrom the upstream\r\n", Encoding.ASCII.GetString(body.ToArray()));
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Only_logins_that_carry_the_password_are_offered()
    {
        using var client = new Pop3Client();
        await client.ConnectAsync(_gateway.Pop3EndPoint.Address.ToString(), _gateway.Pop3EndPoint.Port, SecureSocketOptions.None);
        Assert.Equal(["PLAIN", "LOGIN"], client.AuthenticationMechanisms.ToArray());
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_mechanism_that_carries_no_password_is_refused_as_unknown()
    {
        await using var raw = await RawPop3Client.ConnectAsync(_gateway.Pop3EndPoint);
        await raw.ReadLineAsync();
        Assert.StartsWith("-ERR", await raw.CommandAsync("AUTH CRAM-MD5"), StringComparison.Ordinal);
        Assert.StartsWith("-ERR", await raw.CommandAsync("AUTH SCRAM-SHA-256"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_configured_upstream_password_every_mechanism_is_offered_again()
    {
        await using var mapped = Gateway().With("Pop3:Upstream:Password", "secret");
        using var client = new Pop3Client();
        await client.ConnectAsync(mapped.Pop3EndPoint.Address.ToString(), mapped.Pop3EndPoint.Port, SecureSocketOptions.None);
        Assert.Contains("CRAM-MD5", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(new SaslMechanismCramMd5("alice", "secret"));
        Assert.Equal(1, client.Count);
        await client.DisconnectAsync(true);
    }

    [Theory]
    [InlineData("Pop3:Authentication:Apop", "true", "Pop3:Authentication:Apop")]
    [InlineData("Pop3:Authentication:Mechanisms", "PLAIN CRAM-MD5", "Pop3:Authentication:Mechanisms")]
    public async Task A_login_that_cannot_pass_the_password_on_stops_start_up_naming_the_key(string key, string value, string named)
    {
        await using var gateway = Gateway().With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => gateway.Pop3EndPoint);
        while (error.InnerException is not null)
        {
            error = error.InnerException;
        }

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Contains("Pop3:Upstream:Password", error.Message, StringComparison.Ordinal);
    }

    private Pop3ServerFactory Gateway() =>
        new Pop3ServerFactory()
            .With("Pop3:Store", "Upstream")
            .With("Pop3:Upstream:Host", "127.0.0.1")
            .With("Pop3:Upstream:Port", _upstream.Pop3EndPoint.Port.ToString(CultureInfo.InvariantCulture))
            .With("Pop3:Authentication:UsersFile", Path.Combine(_directory, "users"));
}
