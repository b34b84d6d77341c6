using System.Net;
using System.Net.Sockets;
using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Hostile;

/// <summary>
/// A connection flood over the per-address and the global limits (Pop3:Limits): the excess is refused with
/// -ERR [SYS/TEMP] and closed at once, and a client from another address is still served.
/// </summary>
public sealed class ConnectionFloodTests
{
    [Fact]
    public async Task A_flood_over_the_limits_is_refused_and_closed_while_others_are_served()
    {
        var store = new InMemoryMailStore();
        store.Add("bob", "Subject: hi\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store)
            .With("Pop3:Limits:MaxConnections", "30")
            .With("Pop3:Limits:MaxConnectionsPerIp", "20");
        var port = server.Pop3EndPoint.Port;
        var held = new List<TcpClient>();
        try
        {
            // The flood from 127.0.0.1: 20 are let in, the 100 after them are refused, each with one line.
            var refusedPerIp = 0;
            for (var i = 0; i < 120; i++)
            {
                var (client, greeting) = await ConnectAsync(IPAddress.Loopback, port);
                if (greeting.StartsWith("+OK", StringComparison.Ordinal))
                {
                    held.Add(client);
                    continue;
                }

                Assert.Equal("-ERR [SYS/TEMP] Too many connections from your address, try again later", greeting);
                Assert.True(await ClosedAsync(client), "a refused connection must be closed");
                client.Dispose();
                refusedPerIp++;
            }

            Assert.Equal(20, held.Count);
            Assert.Equal(100, refusedPerIp);

            // Another address fills the global limit; past it everyone is refused.
            var second = IPAddress.Parse("127.0.0.2");
            for (var i = 0; i < 10; i++)
            {
                var (client, greeting) = await ConnectAsync(second, port);
                Assert.StartsWith("+OK", greeting);
                held.Add(client);
            }

            var (over, overGreeting) = await ConnectAsync(IPAddress.Parse("127.0.0.3"), port);
            Assert.Equal("-ERR [SYS/TEMP] Too many connections, try again later", overGreeting);
            Assert.True(await ClosedAsync(over));
            over.Dispose();

            // The flood lets go of a few: a client from a third address gets in and is served in full.
            foreach (var client in held.Take(5))
            {
                client.Dispose();
            }

            held.RemoveRange(0, 5);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                var (client, greeting) = await ConnectAsync(IPAddress.Parse("127.0.0.3"), port);
                using (client)
                {
                    if (greeting.StartsWith("+OK", StringComparison.Ordinal))
                    {
                        var stream = client.GetStream();
                        await stream.WriteAsync("USER bob\r\nPASS hunter 2\r\nSTAT\r\nQUIT\r\n"u8.ToArray());
                        var replies = await ReadToCloseAsync(stream);
                        Assert.Equal("+OK Send your password\r\n+OK Logged in, 1 messages (22 octets)\r\n+OK 1 22\r\n+OK Logging out\r\n", replies);
                        break;
                    }
                }

                // The server counts a connection as gone when it notices the close: try again until it has.
                Assert.True(DateTime.UtcNow < deadline, "no slot came free after five connections closed");
            }
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<(TcpClient Client, string Greeting)> ConnectAsync(IPAddress from, int port)
    {
        var client = new TcpClient(new IPEndPoint(from, 0));
        await client.ConnectAsync(IPAddress.Loopback, port);
        var line = new StringBuilder();
        var one = new byte[1];
        var stream = client.GetStream();
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal)
            && await stream.ReadAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(15)) == 1)
        {
            line.Append((char)one[0]);
        }

        return (client, line.ToString().TrimEnd('\r', '\n'));
    }

    private static async Task<bool> ClosedAsync(TcpClient client)
    {
        try
        {
            return await client.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(15)) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task<string> ReadToCloseAsync(NetworkStream stream)
    {
        var all = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15))) > 0)
        {
            all.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(all.ToArray());
    }
}
