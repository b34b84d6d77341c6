using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MailKit.Net.Pop3;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Tls;

/// <summary>Implicit TLS (RFC 8314) and STLS (RFC 2595) with real handshakes and real clients.</summary>
public sealed class TlsTests : IAsyncLifetime
{
    private const string Message = "Subject: secret\r\n\r\nover TLS\r\n";
    private readonly TestCertificates _certificates = new();
    private readonly InMemoryMailStore _store = new();
    private readonly Pop3ServerFactory _server = new();
    private X509Certificate2 _certificate = null!;

    public Task InitializeAsync()
    {
        _certificate = _certificates.Write();
        _store.Add("alice", Encoding.ASCII.GetBytes(Message));
        _server.WithInMemoryMail(_store).WithTls(_certificates);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task MailKit_reads_mail_over_implicit_tls()
    {
        using var client = NewMailKitClient();
        var secure = _server.EndPointOf("Secure");
        await client.ConnectAsync("127.0.0.1", secure.Port, SecureSocketOptions.SslOnConnect);
        Assert.True(client.IsSecure);
        await client.AuthenticateAsync("alice", "secret");
        await using var stream = await client.GetStreamAsync(0);
        Assert.Equal(Message, await new StreamReader(stream, Encoding.Latin1).ReadToEndAsync());
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task MailKit_upgrades_with_stls_and_logs_in_over_tls()
    {
        using var client = NewMailKitClient();
        await client.ConnectAsync("127.0.0.1", _server.Pop3EndPoint.Port, SecureSocketOptions.StartTls);
        Assert.True(client.IsSecure);
        Assert.True(client.Capabilities.HasFlag(Pop3Capabilities.UIDL));
        await client.AuthenticateAsync("alice", "secret");
        Assert.Equal(1, client.Count);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task Commands_sent_with_stls_in_the_clear_are_never_executed()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.Pop3EndPoint);
        var plain = tcp.GetStream();
        var reader = new LineReader(plain);
        Assert.StartsWith("+OK", await reader.ReadLineAsync());
        await plain.WriteAsync("STLS\r\nUSER alice\r\n"u8.ToArray());
        Assert.Equal("+OK Begin TLS negotiation", await reader.ReadLineAsync());

        await using var tls = new SslStream(plain, false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        var secure = new LineReader(tls);
        await tls.WriteAsync("PASS secret\r\n"u8.ToArray());
        Assert.Equal("-ERR Send USER first", await secure.ReadLineAsync());
        await tls.WriteAsync("CAPA\r\n"u8.ToArray());
        var capa = await secure.ReadMultiLineAsync();
        Assert.DoesNotContain("STLS", capa);
        Assert.Contains("USER", capa);
        await tls.WriteAsync("STLS\r\n"u8.ToArray());
        Assert.Equal("-ERR Already using TLS", await secure.ReadLineAsync());
    }

    [Fact]
    public async Task Capa_offers_stls_before_tls_and_stls_is_refused_after_login()
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("+OK Capability list follows", await client.CommandAsync("CAPA"));
        Assert.Contains("\r\nSTLS\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));
        await client.CommandAsync("USER alice");
        await client.CommandAsync("PASS secret");
        Assert.StartsWith("-ERR Not allowed after login", await client.CommandAsync("STLS"));
        Assert.Equal("+OK Capability list follows", await client.CommandAsync("CAPA"));
        Assert.DoesNotContain("STLS", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));
    }

    [Fact]
    public async Task Without_a_certificate_stls_is_neither_offered_nor_accepted()
    {
        await using var server = new Pop3ServerFactory { Environment = "Production" }.WithInMemoryMail(_store);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.ReadLineAsync();
        await client.CommandAsync("CAPA");
        Assert.DoesNotContain("STLS", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));
        Assert.Equal("-ERR TLS is not available on this connection", await client.CommandAsync("STLS"));
    }

    [Fact]
    public async Task A_rotated_certificate_is_served_to_new_connections_and_old_sessions_go_on()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _server.WithServices(s => s.AddSingleton<TimeProvider>(time));
        var secure = _server.EndPointOf("Secure");

        var (old, oldReader, oldCertificate) = await ConnectTlsAsync(secure.Port);
        Assert.Equal(_certificate.Thumbprint, oldCertificate);
        await old.WriteAsync("USER alice\r\nPASS secret\r\n"u8.ToArray());
        Assert.StartsWith("+OK", await oldReader.ReadLineAsync());
        Assert.StartsWith("+OK Logged in", await oldReader.ReadLineAsync());

        var renewed = _certificates.Write();
        time.Advance(TimeSpan.FromSeconds(3));
        var (fresh, _, freshCertificate) = await ConnectTlsAsync(secure.Port);
        Assert.Equal(renewed.Thumbprint, freshCertificate);
        await fresh.DisposeAsync();

        // A broken file does not replace a working certificate.
        TestCertificates.Replace(_certificates.CertificatePath, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
        time.Advance(TimeSpan.FromSeconds(3));
        var (again, _, stillRenewed) = await ConnectTlsAsync(secure.Port);
        Assert.Equal(renewed.Thumbprint, stillRenewed);
        await again.DisposeAsync();

        await old.WriteAsync("STAT\r\n"u8.ToArray());
        Assert.StartsWith("+OK 1 ", await oldReader.ReadLineAsync());
        await old.DisposeAsync();
    }

    [Fact]
    public async Task The_certificate_is_chosen_by_the_sni_host_name()
    {
        using var other = new TestCertificates();
        var mail = other.Write("mail.example.org");
        _server.With("Pop3:Endpoints:Secure:Sni:mail.example.org:Path", other.CertificatePath)
            .With("Pop3:Endpoints:Secure:Sni:mail.example.org:KeyPath", other.KeyPath);
        var port = _server.EndPointOf("Secure").Port;

        Assert.Equal(mail.Thumbprint, await ThumbprintFor(port, "mail.example.org"));
        Assert.Equal(_certificate.Thumbprint, await ThumbprintFor(port, "localhost"));
    }

    private static async Task<string> ThumbprintFor(int port, string host)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host });
        return tls.RemoteCertificate!.GetCertHashString();
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Openssl_s_client_speaks_pop3_over_stls_and_over_port_995_style_tls()
    {
        var script = "USER alice\nPASS secret\nSTAT\nQUIT\n";
        var starttls = await ExternalTool.RunWithInputAsync("openssl", "openssl", _certificates.Folder, script,
            "s_client", "-connect", $"127.0.0.1:{_server.Pop3EndPoint.Port}", "-starttls", "pop3", "-crlf", "-quiet", "-verify_quiet");
        Assert.Contains("+OK 1 " + Message.Length, starttls.StandardOutput);
        Assert.Contains("+OK Logging out", starttls.StandardOutput);

        var implicitTls = await ExternalTool.RunWithInputAsync("openssl", "openssl", _certificates.Folder, script,
            "s_client", "-connect", $"127.0.0.1:{_server.EndPointOf("Secure").Port}", "-crlf", "-quiet", "-verify_quiet");
        Assert.Contains("+OK Pop3.Kestrel ready", implicitTls.StandardOutput);
        Assert.Contains("+OK 1 " + Message.Length, implicitTls.StandardOutput);
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Tls_1_1_is_refused_while_tls_1_2_is_accepted_and_no_alpn_is_offered()
    {
        var port = _server.EndPointOf("Secure").Port;
        var old = await ExternalTool.RunWithInputAsync("openssl", "openssl", _certificates.Folder, "",
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
        Assert.NotEqual(0, old.ExitCode);
        Assert.Contains("Cipher is (NONE)", old.StandardOutput);
        Assert.Contains("alert protocol version", old.StandardError);

        var current = await ExternalTool.RunWithInputAsync("openssl", "openssl", _certificates.Folder, "QUIT\n",
            "s_client", "-connect", $"127.0.0.1:{port}", "-tls1_2", "-alpn", "h2,http/1.1");
        Assert.Contains("Protocol  : TLSv1.2", current.StandardOutput);
        Assert.True(current.StandardOutput.Contains("No ALPN negotiated", StringComparison.Ordinal), current.ToString());
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Curl_fetches_over_pop3s_and_over_stls_with_ssl_reqd()
    {
        var output = Path.Combine(_certificates.Folder, "curl.eml");
        var secure = await ExternalTool.RunAsync("curl", "curl", _certificates.Folder,
            "--silent", "--show-error", "--cacert", _certificates.CertificatePath, "-u", "alice:secret", "-o", output,
            $"pop3s://localhost:{_server.EndPointOf("Secure").Port}/1");
        Assert.True(secure.ExitCode == 0, secure.ToString());
        Assert.Equal(Message, await File.ReadAllTextAsync(output, Encoding.Latin1));

        File.Delete(output);
        var upgraded = await ExternalTool.RunAsync("curl", "curl", _certificates.Folder,
            "--silent", "--show-error", "--ssl-reqd", "--cacert", _certificates.CertificatePath, "-u", "alice:secret", "-o", output,
            $"pop3://localhost:{_server.Pop3EndPoint.Port}/1");
        Assert.True(upgraded.ExitCode == 0, upgraded.ToString());
        Assert.Equal(Message, await File.ReadAllTextAsync(output, Encoding.Latin1));
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Python_poplib_uses_pop3_ssl_and_stls()
    {
        var script = $$"""
            import poplib, ssl
            context = ssl.create_default_context(cafile=r"{{_certificates.CertificatePath}}")
            a = poplib.POP3_SSL("localhost", {{_server.EndPointOf("Secure").Port}}, context=context)
            a.user("alice"); a.pass_("secret")
            print("ssl", a.stat()); a.quit()
            b = poplib.POP3("localhost", {{_server.Pop3EndPoint.Port}})
            b.stls(context=context)
            b.user("alice"); b.pass_("secret")
            print("stls", b.stat(), b.retr(1)[1]); b.quit()
            """;
        var result = await ExternalTool.RunAsync("python3", "python3", _certificates.Folder, "-c", script);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"ssl (1, {Message.Length})", result.StandardOutput);
        Assert.Contains($"stls (1, {Message.Length}) [b'Subject: secret', b'', b'over TLS']", result.StandardOutput);
    }

    private Pop3Client NewMailKitClient()
    {
        var client = new Pop3Client();
        client.ServerCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == _certificate.Thumbprint;
        return client;
    }

    private static async Task<(SslStream Stream, LineReader Reader, string Thumbprint)> ConnectTlsAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.None });
        var reader = new LineReader(tls);
        Assert.StartsWith("+OK", await reader.ReadLineAsync());
        return (tls, reader, tls.RemoteCertificate!.GetCertHashString());
    }

    /// <summary>Reads CRLF lines from any stream, byte by byte (these tests read little).</summary>
    private sealed class LineReader(Stream stream)
    {
        public async Task<string> ReadLineAsync()
        {
            var line = new List<byte>();
            var one = new byte[1];
            while (await stream.ReadAsync(one) == 1)
            {
                line.Add(one[0]);
                if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n')
                {
                    return Encoding.Latin1.GetString(line.ToArray(), 0, line.Count - 2);
                }
            }

            throw new EndOfStreamException(Encoding.Latin1.GetString(line.ToArray()));
        }

        public async Task<string> ReadMultiLineAsync()
        {
            var text = new StringBuilder();
            while (true)
            {
                var line = await ReadLineAsync();
                text.Append(line).Append("\r\n");
                if (line == ".")
                {
                    return text.ToString();
                }
            }
        }
    }
}
