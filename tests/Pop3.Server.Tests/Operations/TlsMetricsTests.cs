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

    public void Dispose() => _certificates.Dispose();
}
