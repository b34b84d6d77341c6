using System.Text;
using MailKit.Net.Pop3;
using MailKit.Security;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Authentication;

/// <summary>
/// <c>Pop3:Authentication:AllowPlaintext = Never</c> with real TLS: passwords are refused in the clear and accepted once
/// the connection is encrypted, by STLS or on the implicit-TLS port (the TLS state comes from the connection).
/// </summary>
public sealed class PlaintextPolicyOverTlsTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = new();
    private readonly InMemoryMailStore _store = new();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _certificates.Write();
        _store.Add("alice", Encoding.ASCII.GetBytes("Subject: x\r\n\r\ny\r\n"));
        _server.WithInMemoryMail(_store).WithTls(_certificates).With("Pop3:Authentication:AllowPlaintext", "Never");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificates.Dispose();
    }

    private static Pop3Client NewClient() => new() { ServerCertificateValidationCallback = (_, _, _, _) => true };

    [Fact]
    public async Task In_the_clear_user_and_plain_are_refused_and_not_advertised()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("+OK Capability list follows", await client.CommandAsync("CAPA"));
        var capa = Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync());
        Assert.DoesNotContain("USER", capa);
        Assert.DoesNotContain("SASL", capa);
        Assert.Contains("STLS\r\n", capa);
        Assert.Equal("-ERR [AUTH] TLS is required for plaintext authentication", await client.CommandAsync("USER alice"));
        Assert.Equal("-ERR [AUTH] TLS is required for plaintext authentication", await client.CommandAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA=="));
    }

    [Fact]
    public async Task After_stls_mailkit_sees_plain_and_user_and_logs_in()
    {
        using var client = NewClient();
        await client.ConnectAsync("127.0.0.1", _server.Pop3EndPoint.Port, SecureSocketOptions.StartTls);
        Assert.True(client.IsSecure);
        Assert.Contains("PLAIN", client.AuthenticationMechanisms);
        Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.User));
        await client.AuthenticateAsync(new SaslMechanismPlain("alice", "secret"));
        Assert.Equal(1, client.Count);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task On_the_implicit_tls_port_user_pass_works()
    {
        using var client = NewClient();
        await client.ConnectAsync("127.0.0.1", _server.EndPointOf("Secure").Port, SecureSocketOptions.SslOnConnect);
        client.AuthenticationMechanisms.Clear();
        await client.AuthenticateAsync("alice", "secret");
        Assert.Equal(1, client.Count);
        await client.DisconnectAsync(true);
    }
}
