using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

public sealed class TlsMetricsTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    public TlsMetricsTests() => _certificates.Write();

    [Fact]
    public async Task Implicit_tls_and_stls_handshakes_are_counted_with_their_result()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new InMemoryMailStore()).WithTls(_certificates);
        _ = server.Pop3EndPoint;
        using var metrics = new MeasurementsOf(server);

        // Implicit TLS that succeeds, then a "client" that sends plain text to the TLS port.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(server.EndPointOf("Secure"));
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
            await tls.WriteAsync("QUIT\r\n"u8.ToArray());
            while (await tls.ReadAsync(new byte[256]) > 0)
            {
            }
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(server.EndPointOf("Secure"));
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("USER alice\r\n\r\n\r\n"));
            while (await tcp.GetStream().ReadAsync(new byte[256]) > 0)
            {
            }
        }

        // STLS on the plain listener.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(server.Pop3EndPoint);
            var stream = tcp.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII);
            await reader.ReadLineAsync();
            await stream.WriteAsync("STLS\r\n"u8.ToArray());
            Assert.StartsWith("+OK", await reader.ReadLineAsync());
            await using var tls = new SslStream(stream, false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
            await tls.WriteAsync("QUIT\r\n"u8.ToArray());
            while (await tls.ReadAsync(new byte[256]) > 0)
            {
            }
        }

        await metrics.WaitForCountAsync("pop3.tls.handshakes", 3);
        Assert.Equal(1, metrics.Sum("pop3.tls.handshakes", ("pop3.tls.mode", "implicit"), ("pop3.result", "succeeded")));
        Assert.Equal(1, metrics.Sum("pop3.tls.handshakes", ("pop3.tls.mode", "implicit"), ("pop3.result", "failed")));
        Assert.Equal(1, metrics.Sum("pop3.tls.handshakes", ("pop3.tls.mode", "stls"), ("pop3.result", "succeeded")));
    }

    [Fact]
    public async Task The_proxy_header_comes_before_the_tls_handshake_on_an_implicit_tls_listener()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store).WithTls(_certificates)
            .With("Pop3:Endpoints:Secure:ProxyProtocol", "true")
            .With("Pop3:ProxyProtocol:TrustedNetworks:0", "127.0.0.1");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPointOf("Secure"));
        await tcp.GetStream().WriteAsync("PROXY TCP4 198.51.100.20 192.0.2.1 50000 995\r\n"u8.ToArray());
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        var reader = new StreamReader(tls, Encoding.ASCII);
        Assert.StartsWith("+OK", await reader.ReadLineAsync());
        await tls.WriteAsync("USER alice\r\nPASS secret\r\n"u8.ToArray());
        Assert.StartsWith("+OK", await reader.ReadLineAsync());
        Assert.StartsWith("+OK", await reader.ReadLineAsync());

        using var http = server.CreateAdminClient();
        var sessions = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, "/sessions");
        var session = Assert.Single(sessions.EnumerateArray());
        Assert.Equal("198.51.100.20", session.GetProperty("ip").GetString());
        Assert.True(session.GetProperty("tls").GetBoolean());
    }

    [Fact]
    public async Task A_second_login_to_a_locked_maildrop_counts_a_lock_conflict()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        _ = server.Pop3EndPoint;
        using var metrics = new MeasurementsOf(server);
        await using var first = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await first.LoginAsync();
        await using var second = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await second.ReadLineAsync();
        await second.CommandAsync("USER alice");

        Assert.StartsWith("-ERR [IN-USE]", await second.CommandAsync("PASS secret"));
        Assert.Equal(1, metrics.Sum("pop3.maildrop.lock_conflicts"));
        Assert.Equal(1, metrics.Sum("pop3.logins", ("pop3.result", "failed")));
    }

    public void Dispose() => _certificates.Dispose();
}
