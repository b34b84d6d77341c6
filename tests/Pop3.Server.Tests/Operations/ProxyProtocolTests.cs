using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.ProxyProtocol;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

/// <summary>HAProxy PROXY protocol v1 and v2 headers written over real sockets.</summary>
public sealed class ProxyProtocolTests
{
    [Fact]
    public async Task A_v1_header_from_a_trusted_proxy_gives_the_client_address_to_the_authenticator_and_the_admin()
    {
        var addresses = new ConcurrentQueue<IPAddress?>();
        await using var server = Proxied(addresses);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);

        await client.SendAsync("PROXY TCP4 203.0.113.7 192.0.2.1 40000 110\r\n");
        await client.LoginAsync();

        Assert.Equal(IPAddress.Parse("203.0.113.7"), Assert.Single(addresses));
        using var http = server.CreateAdminClient();
        var session = Assert.Single((await http.GetFromJsonAsync<JsonElement>("/sessions")).EnumerateArray());
        Assert.Equal("203.0.113.7", session.GetProperty("ip").GetString());
    }

    [Fact]
    public async Task A_v2_header_with_ipv6_addresses_in_two_writes_is_read_whole()
    {
        var addresses = new ConcurrentQueue<IPAddress?>();
        await using var server = Proxied(addresses);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);

        var header = V2(IPAddress.Parse("2001:db8::1"), 50000, IPAddress.Parse("2001:db8::2"), 110, tlvs: [0x04, 0x00, 0x02, 0xAB, 0xCD]);
        await client.SendAsync(header[..7]);
        await client.SendAsync([.. header[7..], .. "USER alice\r\n"u8]);
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        Assert.StartsWith("+OK", await client.CommandAsync("PASS secret"));

        Assert.Equal(IPAddress.Parse("2001:db8::1"), Assert.Single(addresses));
    }

    [Fact]
    public async Task A_v2_local_header_keeps_the_proxys_own_address()
    {
        var addresses = new ConcurrentQueue<IPAddress?>();
        await using var server = Proxied(addresses);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);

        byte[] local = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00, 0x00, 0x00];
        await client.SendAsync(local);
        await client.LoginAsync();

        Assert.Equal(IPAddress.Loopback, Assert.Single(addresses)?.MapToIPv4());
    }

    [Theory]
    [InlineData("PROXY TCP4 203.0.113.300 192.0.2.1 40000 110\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 192.0.2.1 40000 110\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 040000 110\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 70000 110\r\n")]
    [InlineData("PROXY UDP4 203.0.113.7 192.0.2.1 40000 110\r\n")]
    [InlineData("PROXY TCP4 203.0.113.7 192.0.2.1 40000\r\n")]
    [InlineData("USER alice\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")]
    public async Task A_malformed_header_closes_the_connection_before_the_greeting(string header)
    {
        await using var server = Proxied(new());
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.SendAsync(header);
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task A_v1_line_without_its_end_within_107_octets_closes_the_connection()
    {
        await using var server = Proxied(new());
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.SendAsync("PROXY TCP4 " + new string('1', 120));
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task A_connection_without_a_header_is_closed_after_the_header_timeout()
    {
        await using var server = Proxied(new()).With("Pop3:ProxyProtocol:HeaderTimeout", "00:00:01");
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task A_peer_outside_the_trusted_networks_is_closed_even_with_a_valid_header()
    {
        await using var server = Proxied(new()).With("Pop3:ProxyProtocol:TrustedNetworks:0", "10.0.0.0/8");
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.SendAsync("PROXY TCP4 203.0.113.7 192.0.2.1 40000 110\r\n");
        Assert.Equal("", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task Listeners_without_proxy_protocol_are_unaffected()
    {
        await using var server = Proxied(new()).With("Pop3:Endpoints:Direct:Address", "127.0.0.1").With("Pop3:Endpoints:Direct:Port", "0");
        await using var client = await RawPop3Client.ConnectAsync(server.EndPointOf("Direct"));
        await client.LoginAsync();
    }

    [Theory]
    [InlineData(null, "Pop3:Endpoints:Default:ProxyProtocol is true but Pop3:ProxyProtocol:TrustedNetworks is empty")]
    [InlineData("10.0.0.0/33", "Pop3:ProxyProtocol:TrustedNetworks:0 '10.0.0.0/33' is not a network in CIDR form")]
    public async Task Bad_trusted_networks_stop_start_up_naming_the_key(string? network, string message)
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new()).With("Pop3:Endpoints:Default:ProxyProtocol", "true");
        if (network is not null)
        {
            server.With("Pop3:ProxyProtocol:TrustedNetworks:0", network);
        }

        var error = Assert.ThrowsAny<Exception>(() => server.Pop3EndPoint);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_prefix_of_a_header_is_incomplete_and_the_whole_of_it_is_parsed_in_any_segmentation()
    {
        var v1 = Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\nUSER");
        var v2 = V2(IPAddress.Parse("198.51.100.9"), 1234, IPAddress.Parse("192.0.2.1"), 995, tlvs: [0x01, 0x00, 0x02, (byte)'h', (byte)'2']);
        foreach (var (bytes, headerLength, client) in new[] { (v1, v1.Length - 4, "[2001:db8::1]:1"), (v2, v2.Length, "198.51.100.9:1234") })
        {
            for (var n = 0; n < headerLength; n++)
            {
                Assert.Equal(Pop3ProxyHeaderStatus.Incomplete, Pop3ProxyProtocolHeader.TryParse(new ReadOnlySequence<byte>(bytes[..n]), out _, out _, out _));
            }

            for (var split = 1; split < bytes.Length; split++)
            {
                var status = Pop3ProxyProtocolHeader.TryParse(Segments(bytes[..split], bytes[split..]), out var consumed, out var source, out _);
                Assert.Equal(Pop3ProxyHeaderStatus.Parsed, status);
                Assert.Equal(headerLength, consumed);
                Assert.Equal(client, source!.ToString());
            }
        }
    }

    private static Pop3ServerFactory Proxied(ConcurrentQueue<IPAddress?> addresses)
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        return new Pop3ServerFactory().WithInMemoryMail(store)
            .With("Pop3:Endpoints:Default:ProxyProtocol", "true")
            .With("Pop3:ProxyProtocol:TrustedNetworks:0", "127.0.0.0/8")
            .With("Pop3:ProxyProtocol:TrustedNetworks:1", "::1")
            // The proxied clients are not on loopback, so plaintext logins must be allowed for USER/PASS to work.
            .With("Pop3:Authentication:AllowPlaintext", "Always")
            .WithServices(services => services.AddSingleton<IPop3Authenticator>(new RecordingUsers(addresses)));
    }

    private static byte[] V2(IPAddress source, int sourcePort, IPAddress destination, int destinationPort, byte[] tlvs)
    {
        var ipv6 = source.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var addresses = ipv6 ? 36 : 12;
        var header = new byte[16 + addresses + tlvs.Length];
        new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A }.CopyTo(header, 0);
        header[12] = 0x21;
        header[13] = (byte)(ipv6 ? 0x21 : 0x11);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)(addresses + tlvs.Length));
        var length = ipv6 ? 16 : 4;
        source.GetAddressBytes().CopyTo(header, 16);
        destination.GetAddressBytes().CopyTo(header, 16 + length);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(16 + (2 * length)), (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(18 + (2 * length)), (ushort)destinationPort);
        tlvs.CopyTo(header, 16 + addresses);
        return header;
    }

    private static ReadOnlySequence<byte> Segments(byte[] first, byte[] second)
    {
        var start = new Segment(first);
        var end = start.Append(second);
        return new ReadOnlySequence<byte>(start, 0, end, second.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    private sealed class RecordingUsers(ConcurrentQueue<IPAddress?> addresses) : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken)
        {
            addresses.Enqueue(connection.RemoteAddress);
            return new TestUsers().AuthenticateAsync(user, password, connection, cancellationToken);
        }
    }
}
