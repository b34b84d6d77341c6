using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Tls;

/// <summary>Client certificates on an implicit-TLS listener, and SASL EXTERNAL mapping one to a user.</summary>
public sealed class ClientCertificateTests : IAsyncLifetime
{
    private readonly TestCertificates _server = new();
    private readonly Pop3ServerFactory _factory = new();
    private X509Certificate2 _authority = null!;
    private RSA _authorityKey = null!;

    public Task InitializeAsync()
    {
        _server.Write();
        _authorityKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=Test Client CA", _authorityKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        _authority = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(30));
        var authorityPath = Path.Combine(_server.Folder, "clients-ca.pem");
        File.WriteAllText(authorityPath, _authority.ExportCertificatePem());

        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: for alice\r\n\r\nhi\r\n"u8.ToArray());
        _factory.WithInMemoryMail(store).WithTls(_server)
            .With("Pop3:Endpoints:Secure:ClientCertificateMode", "AllowCertificate")
            .With("Pop3:Endpoints:Secure:ClientCertificateAuthority", authorityPath)
            .With("Pop3:Authentication:External", "true");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        _server.Dispose();
        _authority.Dispose();
        _authorityKey.Dispose();
    }

    [Fact]
    public async Task External_logs_in_the_user_named_by_a_trusted_client_certificate()
    {
        using var certificate = Issue("alice", _authority);
        var (tls, read) = await ConnectAsync(certificate);
        await using var _ = tls;
        await Send(tls, "CAPA");
        Assert.Contains("SASL", await ReadMultiLine(read));
        await Send(tls, "AUTH EXTERNAL =");
        Assert.StartsWith("+OK Logged in, 1 messages", await read());
        await Send(tls, "STAT");
        Assert.StartsWith("+OK 1 ", await read());
    }

    [Fact]
    public async Task External_refuses_an_authorization_identity_other_than_the_certificates_user()
    {
        using var certificate = Issue("alice", _authority);
        var (tls, read) = await ConnectAsync(certificate);
        await using var _ = tls;
        await Send(tls, "AUTH EXTERNAL " + Convert.ToBase64String("bob"u8));
        Assert.StartsWith("-ERR [AUTH]", await read());
    }

    [Fact]
    public async Task External_without_a_certificate_fails_and_a_certificate_from_another_authority_is_refused()
    {
        var (tls, read) = await ConnectAsync(null);
        await using (tls)
        {
            await Send(tls, "AUTH EXTERNAL =");
            Assert.StartsWith("-ERR [AUTH]", await read());
        }

        using var otherKey = RSA.Create(2048);
        using var other = new CertificateRequest("CN=Other CA", otherKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1));
        using var untrusted = Issue("alice", other, otherKey);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var (refused, readRefused) = await ConnectAsync(untrusted);
            await using var _ = refused;
            await Send(refused, "NOOP");
            await readRefused();
        });
    }

    private X509Certificate2 Issue(string user, X509Certificate2 authority, RSA? authorityKey = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=" + user, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(authority.SubjectName, X509SignatureGenerator.CreateForRSA(authorityKey ?? _authorityKey, RSASignaturePadding.Pkcs1),
            DateTimeOffset.Now.AddMinutes(-1), DateTimeOffset.Now.AddDays(1), serial);
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pfx), null);
    }

    private async Task<(SslStream Tls, Func<Task<string>> Read)> ConnectAsync(X509Certificate2? certificate)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(_factory.EndPointOf("Secure"));
        var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = certificate is null ? null : [certificate],
        });
        var reader = new StreamReader(tls, Encoding.Latin1);
        Func<Task<string>> read = async () => await reader.ReadLineAsync() ?? throw new EndOfStreamException();
        Assert.StartsWith("+OK", await read());
        return (tls, read);
    }

    private static Task Send(Stream stream, string line) => stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n")).AsTask();

    private static async Task<string> ReadMultiLine(Func<Task<string>> read)
    {
        var text = new StringBuilder();
        for (var line = await read(); line != "."; line = await read())
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }
}
