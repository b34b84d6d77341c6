using System.Net.Sockets;
using System.Text;
using Pop3.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pop3.Server.Tests.Hostile;

/// <summary>
/// 100,000 commands written without reading a reply. The server must stop taking more work while its
/// output is backed up (its memory stays bounded), keep serving others, and once the client reads,
/// every reply must arrive, in order.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class PipelineFloodTests(HostileServerFixture fixture, ITestOutputHelper output)
{
    private const int Commands = 100_000;

    /// <summary>
    /// The heap the server may keep while the client does not read. Far below what the replies add up to
    /// (28 MB: 90,000 CAPA replies of ~310 octets), above what a server that holds back needs (its input
    /// buffer, 64 KiB of output, the pools' slack: about 0.7 MiB measured). Before the session flushed inside
    /// a batch, this test measured 8 to 29 MiB retained.
    /// </summary>
    private const long MemoryBound = 4 * 1024 * 1024;

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Pipelined_commands_without_reading_keep_memory_bounded_and_every_reply_arrives_in_order()
    {
        // The replies are known in advance: ask for each kind once, on a connection of its own.
        var (capa, sizes) = await SampleRepliesAsync();
        var script = new MemoryStream();
        var expected = new MemoryStream();
        for (var i = 0; i < Commands; i++)
        {
            if (i % 10 == 9)
            {
                var number = (i / 10 % sizes.Length) + 1;
                script.Write(Encoding.ASCII.GetBytes($"LIST {number}\r\n"));
                expected.Write(Encoding.ASCII.GetBytes($"+OK {number} {sizes[number - 1]}\r\n"));
            }
            else
            {
                script.Write("CAPA\r\n"u8);
                expected.Write(capa);
            }
        }

        script.Write("QUIT\r\n"u8);
        expected.Write("+OK Logging out\r\n"u8);
        var scriptBytes = script.ToArray();
        var expectedBytes = expected.ToArray();
        output.WriteLine($"{scriptBytes.Length} octets of commands, {expectedBytes.Length} octets of replies");

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Server.Pop3EndPoint);
        var stream = tcp.GetStream();
        var received = new MemoryStream();
        await ReadLineAsync(stream, received);
        await stream.WriteAsync("USER alice\r\nPASS secret\r\n"u8.ToArray());
        Assert.StartsWith("+OK Send", await ReadLineAsync(stream, received));
        Assert.StartsWith("+OK Logged in", await ReadLineAsync(stream, received));

        var baseline = Heap();
        var write = stream.WriteAsync(scriptBytes).AsTask();

        // No signal tells when the server has taken all it will take, so watch its heap for a bounded while
        // (until the write is done and two seconds more), keeping the peak.
        long peak = 0;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using (var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20)))
        {
            while (watch.Elapsed < TimeSpan.FromSeconds(30) && (!write.IsCompleted || watch.Elapsed < TimeSpan.FromSeconds(2)))
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false) - baseline);
                await tick.WaitForNextTickAsync();
            }
        }

        var retained = Heap() - baseline;
        output.WriteLine($"heap growth while the client did not read: peak {peak / 1024} KiB (garbage included), retained {retained / 1024} KiB; command write completed: {write.IsCompleted}");

        // While this client reads nothing, others are served.
        await fixture.AssertOthersServedAsync();
        Assert.True(retained < MemoryBound, $"the server's heap grew by {retained / 1024} KiB while the client did not read");

        // Now read everything: every reply, in order, byte for byte, then the close.
        var buffer = new byte[256 * 1024];
        var at = 0;
        var deadline = TimeSpan.FromSeconds(60);
        var reading = System.Diagnostics.Stopwatch.StartNew();
        while (at < expectedBytes.Length && reading.Elapsed < deadline)
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(deadline);
            if (read == 0)
            {
                break;
            }

            var expectedPart = expectedBytes.AsSpan(at, Math.Min(read, expectedBytes.Length - at));
            var mismatch = expectedPart.CommonPrefixLength(buffer.AsSpan(0, read));
            Assert.True(mismatch == read, $"reply stream differs at octet {at + mismatch}");
            at += read;
        }

        await write;
        Assert.Equal(expectedBytes.Length, at);
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(deadline));
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(true);
    }

    private async Task<(byte[] Capa, long[] Sizes)> SampleRepliesAsync()
    {
        await using var client = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.Equal("+OK Capability list follows", await client.CommandAsync("CAPA"));
        var capa = "+OK Capability list follows\r\n"u8.ToArray().Concat(await client.ReadMultiLineBodyAsync()).ToArray();
        Assert.Equal("+OK Scan listing follows", await client.CommandAsync("LIST"));
        var listing = Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync());
        var sizes = listing.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where(l => l != ".").Select(l => long.Parse(l.Split(' ')[1])).ToArray();
        Assert.Equal("+OK Logging out", await client.CommandAsync("QUIT"));
        return (capa, sizes);
    }

    private static async Task<string> ReadLineAsync(NetworkStream stream, MemoryStream pending)
    {
        var one = new byte[1];
        var line = new StringBuilder();
        while (await stream.ReadAsync(one) == 1)
        {
            line.Append((char)one[0]);
            if (line.Length >= 2 && line[^2] == '\r' && line[^1] == '\n')
            {
                return line.ToString(0, line.Length - 2);
            }
        }

        throw new EndOfStreamException(line.ToString());
    }
}
