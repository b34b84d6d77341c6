using System.Net;
using System.Net.Sockets;
using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Hostile;

/// <summary>
/// A connection flood over the per-address and the unauthenticated limits (Pop3:Limits): the oldest waiting
/// connection is closed with one -ERR [SYS/TEMP] line to admit each newcomer, a logged-in session is never touched,
/// and a client from another address is served at once.
/// </summary>
public sealed class ConnectionFloodTests
{
    private const string Evicted = "-ERR [SYS/TEMP] Too many connections waiting to log in, closing the oldest";

    [Fact]
    public async Task A_flood_evicts_its_own_oldest_connections_while_logged_in_sessions_and_newcomers_are_served()
    {
        var store = new InMemoryMailStore();
        store.Add("bob", "Subject: hi\r\n\r\nhello\r\n"u8.ToArray());
        store.Add("alice", "Subject: hi\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store)
            .With("Pop3:Limits:MaxConnections", "30")
            .With("Pop3:Limits:MaxUnauthenticatedConnections", "25")
            .With("Pop3:Limits:MaxConnectionsPerIp", "20");
        var port = server.Pop3EndPoint.Port;
        var held = new Queue<TcpClient>();
        try
        {
            // Alice logs in from the flood's own address before it starts.
            var (alice, aliceGreeting) = await ConnectAsync(IPAddress.Loopback, port);
            using var aliceClient = alice;
            Assert.StartsWith("+OK", aliceGreeting);
            var aliceStream = alice.GetStream();
            await aliceStream.WriteAsync("USER alice\r\nPASS secret\r\n"u8.ToArray());
            Assert.Equal("+OK Send your password\r\n+OK Logged in, 1 messages (22 octets)\r\n", await ReadAsync(aliceStream, 2));

            // 120 from 127.0.0.1: all greeted; past 20 waiting from the address, each evicts the oldest of them.
            for (var i = 0; i < 120; i++)
            {
                var (client, greeting) = await ConnectAsync(IPAddress.Loopback, port);
                Assert.StartsWith("+OK", greeting);
                held.Enqueue(client);
                if (held.Count > 20)
                {
                    using var oldest = held.Dequeue();
                    Assert.Equal(Evicted, await ReadLineAsync(oldest.GetStream()));
                    Assert.True(await ClosedAsync(oldest), "an evicted connection must be closed");
                }
            }

            // Another address: the unauthenticated pool (25) is full after 5 more, then the oldest of all goes.
            var second = IPAddress.Parse("127.0.0.2");
            for (var i = 0; i < 6; i++)
            {
                var (client, greeting) = await ConnectAsync(second, port);
                Assert.StartsWith("+OK", greeting);
                held.Enqueue(client);
            }

            using (var oldest = held.Dequeue())
            {
                Assert.Equal(Evicted, await ReadLineAsync(oldest.GetStream()));
            }

            // A client from a third address gets in at once and is served in full; alice never noticed.
            var (newcomer, newcomerGreeting) = await ConnectAsync(IPAddress.Parse("127.0.0.3"), port);
            using (newcomer)
            {
                Assert.StartsWith("+OK", newcomerGreeting);
                var stream = newcomer.GetStream();
                await stream.WriteAsync("USER bob\r\nPASS hunter 2\r\nSTAT\r\nQUIT\r\n"u8.ToArray());
                Assert.Equal("+OK Send your password\r\n+OK Logged in, 1 messages (22 octets)\r\n+OK 1 22\r\n+OK Logging out\r\n", await ReadToCloseAsync(stream));
            }

            await aliceStream.WriteAsync("STAT\r\n"u8.ToArray());
            Assert.Equal("+OK 1 22\r\n", await ReadAsync(aliceStream, 1));
        }
        finally
        {
            foreach (var client in held)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream) => (await ReadAsync(stream, 1)).TrimEnd('\r', '\n');

    private static async Task<string> ReadAsync(NetworkStream stream, int lines)
    {
        var text = new StringBuilder();
        var one = new byte[1];
        while (lines > 0 && await stream.ReadAsync(one).AsTask().WaitAsync(TimeSpan.FromSeconds(15)) == 1)
        {
            text.Append((char)one[0]);
            if (one[0] == '\n')
            {
                lines--;
            }
        }

        return text.ToString();
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
