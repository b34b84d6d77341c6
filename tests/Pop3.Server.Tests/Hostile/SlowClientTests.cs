using System.Diagnostics;
using System.Net.Sockets;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Hostile;

/// <summary>Slow clients on real sockets, with short real settings so the test takes seconds.</summary>
public sealed class SlowClientTests : IAsyncLifetime
{
    private readonly InMemoryMailStore _store = new();
    private readonly TestCertificates _certificates = new();
    private Pop3ServerFactory _server = null!;

    public Task InitializeAsync()
    {
        _store.Add("bob", "Subject: hi\r\n\r\nhello\r\n"u8.ToArray());
        _certificates.Write();
        _server = new Pop3ServerFactory().WithInMemoryMail(_store)
            .With("Pop3:AuthorizationTimeout", "00:00:02")
            .With("Pop3:TlsHandshakeTimeout", "00:00:02")
            .WithTls(_certificates);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_slow_loris_before_login_is_closed_at_the_authorization_deadline_while_others_are_served()
    {
        await using var loris = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        Assert.StartsWith("+OK", await loris.ReadLineAsync());
        var closed = loris.ReadToEndAsync();
        var clock = Stopwatch.StartNew();

        // The attack itself is the pause between bytes: one every 250 ms, for at most 20 s.
        var sent = 0;
        try
        {
            while (!closed.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await loris.SendAsync("U"u8.ToArray());
                sent++;
                await Task.WhenAny(closed, Task.Delay(250));
            }
        }
        catch (IOException)
        {
            // Writing to a connection the server has closed.
        }

        Assert.Equal("-ERR Autologout; idle for too long\r\n", await closed.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"closed after {clock.Elapsed} and {sent} bytes");
        Assert.True(sent >= 4, $"only {sent} bytes were sent before the close, so the trickle did not run");

        // A client that logs in at once is served.
        await using var bob = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await bob.LoginAsync("bob", "hunter 2");
        Assert.StartsWith("+OK 1 ", await bob.CommandAsync("STAT"));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task A_tls_client_that_never_finishes_the_handshake_is_closed_at_the_handshake_timeout()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.EndPointOf("Secure"));
        var clock = Stopwatch.StartNew();
        await tcp.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 });
        var buffer = new byte[1024];
        try
        {
            while (await tcp.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(20)) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"closed after {clock.Elapsed}");
    }
}
