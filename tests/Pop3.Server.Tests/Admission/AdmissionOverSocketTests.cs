using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Admission;

/// <summary>
/// Admission over real sockets from several 127.x addresses: the oldest unauthenticated connection makes room for a
/// newcomer, logged-in sessions are never touched, the per-address cap ignores them, and the pre-login timeout
/// shortens under pressure.
/// </summary>
public sealed class AdmissionOverSocketTests
{
    private const string Evicted = "-ERR [SYS/TEMP] Too many connections waiting to log in, closing the oldest\r\n";

    private static Pop3ServerFactory Server(params (string Key, string Value)[] settings)
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: a\r\n\r\nfor alice\r\n"u8.ToArray());
        store.Add("bob", "Subject: b\r\n\r\nfor bob\r\n"u8.ToArray());
        var server = new Pop3ServerFactory().WithInMemoryMail(store);
        foreach (var (key, value) in settings)
        {
            server.With(key, value);
        }

        return server;
    }

    [Fact]
    public async Task The_oldest_unauthenticated_connection_is_closed_with_one_line_to_admit_a_newcomer()
    {
        await using var server = Server(("Pop3:Limits:MaxConnections", "100"), ("Pop3:Limits:MaxUnauthenticatedConnections", "3"));
        var port = server.Pop3EndPoint.Port;
        await using var c1 = await Client.ConnectAsync("127.0.0.11", port);
        await using var c2 = await Client.ConnectAsync("127.0.0.12", port);
        await using var c3 = await Client.ConnectAsync("127.0.0.13", port);

        await using var c4 = await Client.ConnectAsync("127.0.0.14", port);
        Assert.Equal(Evicted, await c1.ReadToEndAsync());
        await using var c5 = await Client.ConnectAsync("127.0.0.15", port);
        Assert.Equal(Evicted, await c2.ReadToEndAsync());

        // The survivors are still served, the newest in full.
        Assert.Equal("+OK Send your password", await c3.CommandAsync("USER alice"));
        Assert.Equal("+OK Send your password", await c5.CommandAsync("USER bob"));
        Assert.StartsWith("+OK Logged in, 1 messages", await c5.CommandAsync("PASS hunter 2"));
        Assert.StartsWith("+OK 1 ", await c5.CommandAsync("STAT"));
    }

    [Fact]
    public async Task A_logged_in_session_is_never_evicted_and_when_all_places_are_logged_in_the_newcomer_is_refused()
    {
        await using var server = Server(("Pop3:Limits:MaxConnections", "3"), ("Pop3:Limits:MaxUnauthenticatedConnections", "3"));
        var port = server.Pop3EndPoint.Port;
        await using var alice = await Client.LoginAsync("127.0.0.21", port, "alice", "secret");
        await using var bob = await Client.LoginAsync("127.0.0.22", port, "bob", "hunter 2");

        // A flood from many addresses: one place is left for them, and each takes it from the one before.
        Client? previous = null;
        for (var i = 0; i < 40; i++)
        {
            var next = await Client.ConnectAsync("127.0.1." + (i + 1), port);
            if (previous is not null)
            {
                Assert.Equal(Evicted, await previous.ReadToEndAsync());
                await previous.DisposeAsync();
            }

            previous = next;
        }

        await previous!.DisposeAsync();
        Assert.StartsWith("+OK 1 ", await alice.CommandAsync("STAT"));
        Assert.StartsWith("+OK 1 ", await bob.CommandAsync("STAT"));
    }

    [Fact]
    public async Task When_every_place_is_held_by_a_logged_in_session_a_newcomer_is_refused_with_sys_temp()
    {
        await using var server = Server(("Pop3:Limits:MaxConnections", "2"));
        var port = server.Pop3EndPoint.Port;
        await using var alice = await Client.LoginAsync("127.0.0.25", port, "alice", "secret");
        await using var bob = await Client.LoginAsync("127.0.0.26", port, "bob", "hunter 2");
        await using var refused = await Client.ConnectRawAsync("127.0.0.27", port);
        Assert.Equal("-ERR [SYS/TEMP] Too many connections, try again later\r\n", await refused.ReadToEndAsync());
        Assert.StartsWith("+OK 1 ", await alice.CommandAsync("STAT"));
        Assert.StartsWith("+OK 1 ", await bob.CommandAsync("STAT"));
    }

    [Fact]
    public async Task The_per_address_cap_ignores_logged_in_sessions_from_that_address()
    {
        await using var server = Server(("Pop3:Limits:MaxConnectionsPerIp", "1"));
        var port = server.Pop3EndPoint.Port;
        await using var alice = await Client.LoginAsync("127.0.0.31", port, "alice", "secret");
        await using var bob = await Client.LoginAsync("127.0.0.31", port, "bob", "hunter 2");

        // Two logged-in sessions from the address, yet one more may wait to log in; a second evicts the first.
        await using var waiting = await Client.ConnectAsync("127.0.0.31", port);
        await using var newer = await Client.ConnectAsync("127.0.0.31", port);
        Assert.Equal(Evicted, await waiting.ReadToEndAsync());
        Assert.Equal("+OK Send your password", await newer.CommandAsync("USER bob"));
        Assert.StartsWith("+OK 1 ", await alice.CommandAsync("STAT"));
        Assert.StartsWith("+OK 1 ", await bob.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Under_pressure_the_pre_login_timeout_shortens_for_connections_already_waiting()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = Server(
            ("Pop3:Limits:MaxConnections", "100"),
            ("Pop3:Limits:MaxUnauthenticatedConnections", "4"),
            ("Pop3:Limits:MinAuthorizationTimeout", "00:00:10"),
            ("Pop3:AuthorizationTimeout", "00:01:00"));
        server.WithServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        var port = server.Pop3EndPoint.Port;
        await using var c1 = await Client.ConnectAsync("127.0.0.41", port);
        await using var c2 = await Client.ConnectAsync("127.0.0.42", port);
        time.Advance(TimeSpan.FromSeconds(20));

        // Three of four waiting: 35 s, which 20 s is not over.
        await using var c3 = await Client.ConnectAsync("127.0.0.43", port);
        Assert.Equal("+OK Send your password", await c1.CommandAsync("USER alice"));

        // Four of four: 10 s; c1 and c2 (30 s) and c3 (10 s) are over it, even though the full timeout is 60 s.
        time.Advance(TimeSpan.FromSeconds(10));
        await using var c4 = await Client.ConnectAsync("127.0.0.44", port);
        Assert.Equal("-ERR Autologout; idle for too long\r\n", await c1.ReadToEndAsync());
        Assert.Equal("-ERR Autologout; idle for too long\r\n", await c2.ReadToEndAsync());
        Assert.Equal("-ERR Autologout; idle for too long\r\n", await c3.ReadToEndAsync());
        Assert.Equal("+OK Send your password", await c4.CommandAsync("USER alice"));
        Assert.StartsWith("+OK Logged in, 1 messages", await c4.CommandAsync("PASS secret"));
    }

    /// <summary>A client bound to a chosen 127.x source address, reading exact lines.</summary>
    private sealed class Client : IAsyncDisposable
    {
        private readonly TcpClient _tcp;
        private readonly NetworkStream _stream;
        private readonly List<byte> _pending = [];

        private Client(TcpClient tcp)
        {
            _tcp = tcp;
            _stream = tcp.GetStream();
        }

        /// <summary>Connects and reads the greeting, which must be +OK.</summary>
        public static async Task<Client> ConnectAsync(string from, int port)
        {
            var client = await ConnectRawAsync(from, port);
            Assert.StartsWith("+OK", await client.ReadLineAsync());
            return client;
        }

        public static async Task<Client> ConnectRawAsync(string from, int port)
        {
            var tcp = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
            await tcp.ConnectAsync(IPAddress.Loopback, port);
            return new Client(tcp);
        }

        public static async Task<Client> LoginAsync(string from, int port, string user, string password)
        {
            var client = await ConnectAsync(from, port);
            Assert.Equal("+OK Send your password", await client.CommandAsync("USER " + user));
            Assert.StartsWith("+OK Logged in", await client.CommandAsync("PASS " + password));
            return client;
        }

        public async Task<string> CommandAsync(string line)
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
            return await ReadLineAsync();
        }

        public async Task<string> ReadLineAsync()
        {
            var buffer = new byte[4096];
            while (true)
            {
                var end = IndexOfCrlf();
                if (end >= 0)
                {
                    var line = Encoding.ASCII.GetString(_pending.GetRange(0, end).ToArray());
                    _pending.RemoveRange(0, end + 2);
                    return line;
                }

                var read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
                Assert.True(read > 0, "the server closed the connection; had: " + Encoding.ASCII.GetString(_pending.ToArray()));
                _pending.AddRange(buffer.AsSpan(0, read).ToArray());
            }
        }

        /// <summary>Everything the server sends until it closes the connection.</summary>
        public async Task<string> ReadToEndAsync()
        {
            var buffer = new byte[4096];
            try
            {
                int read;
                while ((read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15))) > 0)
                {
                    _pending.AddRange(buffer.AsSpan(0, read).ToArray());
                }
            }
            catch (IOException)
            {
                // A reset after the last line counts as the close.
            }

            var all = Encoding.ASCII.GetString(_pending.ToArray());
            _pending.Clear();
            return all;
        }

        private int IndexOfCrlf()
        {
            for (var i = 0; i + 1 < _pending.Count; i++)
            {
                if (_pending[i] == '\r' && _pending[i + 1] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        public ValueTask DisposeAsync()
        {
            _tcp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
