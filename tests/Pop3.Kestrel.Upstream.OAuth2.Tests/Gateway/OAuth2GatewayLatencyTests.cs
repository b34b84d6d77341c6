using System.Diagnostics;
using System.Text;
using MailKit.Net.Pop3;
using MailKit.Security;
using Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Gateway;

/// <summary>
/// What the gateway adds to a session over Dovecot alone: login, STAT, RETR of a small message and QUIT, through
/// the gateway (local password, cached XOAUTH2 token) and straight to Dovecot with the same token, alternated in one
/// run. Both sides pay Dovecot's introspection request per login; the difference is the gateway's own work.
/// </summary>
[Trait("Category", "Interop")]
[Trait("Category", "Slow")]
public sealed class OAuth2GatewayLatencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rounds = 40;
    private static readonly byte[] Message = Encoding.ASCII.GetBytes("From: a@example.test\r\nSubject: small\r\n\r\n" + string.Concat(Enumerable.Repeat("a line of a small message\r\n", 40)));

    private TestAuthorizationServer _server = null!;
    private TestDovecot _dovecot = null!;

    public async Task InitializeAsync()
    {
        _server = await TestAuthorizationServer.StartAsync(TimeSpan.FromHours(1), TimeSpan.FromDays(14));
        _dovecot = await TestDovecot.StartAsync(_server);
        _dovecot.Deliver("alice@example.test", Message);
    }

    public async Task DisposeAsync()
    {
        if (_dovecot is not null)
        {
            await _dovecot.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_gateway_adds_little_to_a_small_retr_session_over_dovecot_alone()
    {
        var settings = TokenSourceHost.SettingsFor(_server, "ClientCredentials");
        settings["Pop3:Upstream:Protocol"] = "Pop3";
        settings["Pop3:Upstream:Host"] = "127.0.0.1";
        settings["Pop3:Upstream:Port"] = _dovecot.Pop3Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Pop3:Upstream:User"] = "{user}@" + TestAuthorizationServer.Tenant;
        await using var gateway = new GatewayFactory(settings);
        var token = (await gateway.TokenSource.GetAccessTokenAsync("alice", CancellationToken.None)).AccessToken!;

        var viaGateway = new List<double>();
        var direct = new List<double>();
        for (var round = 0; round < Rounds + 5; round++)
        {
            var throughGateway = await SessionAsync(gateway.Pop3EndPoint.Port, client => client.AuthenticateAsync("alice", "secret"));
            var straight = await SessionAsync(_dovecot.Pop3Port, client => client.AuthenticateAsync(new SaslMechanismOAuth2("alice@example.test", token)));

            // The first rounds warm up JIT, connection pools and Dovecot's processes.
            if (round >= 5)
            {
                viaGateway.Add(throughGateway);
                direct.Add(straight);
            }
        }

        var gatewayMedian = Median(viaGateway);
        var directMedian = Median(direct);
        output.WriteLine($"small RETR session, {Rounds} rounds alternated: via gateway median {gatewayMedian:F2} ms, Dovecot alone median {directMedian:F2} ms, added {gatewayMedian - directMedian:F2} ms (ratio {gatewayMedian / directMedian:F2})");

        // The gateway's session is the client's session plus one upstream session; a loose bound for a shared machine.
        Assert.True(gatewayMedian < directMedian * 3 + 20, $"gateway {gatewayMedian:F2} ms vs Dovecot alone {directMedian:F2} ms");
    }

    private static async Task<double> SessionAsync(int port, Func<Pop3Client, Task> login)
    {
        var started = Stopwatch.GetTimestamp();
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await login(client);
        Assert.Equal(1, client.Count);
        await using (var stream = await client.GetStreamAsync(0))
        {
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            Assert.Equal(Message.Length, copy.Length);
        }

        await client.DisconnectAsync(quit: true);
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
