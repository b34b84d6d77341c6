using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Pop3.Kestrel.Upstream;

namespace Pop3.Server.Tests.Stores;

/// <summary>The upstream RETR body read off the wire: un-stuffed, ended at CRLF.CRLF, however the bytes arrive.</summary>
public sealed class Pop3UpstreamMessageStreamTests
{
    private const string Wire = "a\r\n..b\r\n...\r\n\r\n.c\r\nd.\r\n.\r\n+OK next reply\r\n";
    private const string Message = "a\r\n.b\r\n..\r\n\r\nc\r\nd.\r\n";

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 64)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    [InlineData(7, 2)]
    [InlineData(64, 64)]
    public async Task Unstuffs_and_stops_at_the_terminator_whatever_the_chunking(int arriving, int reading)
    {
        var pipe = new Pipe();
        var writing = WriteInChunksAsync(pipe.Writer, Encoding.ASCII.GetBytes(Wire), arriving);
        await using var stream = new Pop3UpstreamMessageStream(pipe.Reader, TimeSpan.FromSeconds(30));

        var body = new MemoryStream();
        var buffer = new byte[reading];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            body.Write(buffer, 0, read);
        }

        await writing;
        Assert.Equal(Message, Encoding.ASCII.GetString(body.ToArray()));
        var rest = await pipe.Reader.ReadAsync();
        Assert.Equal("+OK next reply\r\n", Encoding.ASCII.GetString(rest.Buffer.ToArray()));
    }

    [Fact]
    public async Task Lines_that_cross_the_readers_segments_come_out_with_their_own_length_at_every_split()
    {
        // The gateway's reader (a StreamPipeReader) recycles a segment once it is consumed, and a line that starts
        // with a dot near a segment's end makes it read on into the next segment before the first is consumed; short
        // lines, many dots, small segments and every arrival size make chains of those. The read buffer holds stale
        // bytes, as a pooled one does, so a wrong count shows as stray '#'.
        var random = new Random(5);
        var message = new StringBuilder("Subject: split\r\n\r\n");
        while (message.Length < 1500)
        {
            message.Append(random.Next(3) switch { 0 => ".", 1 => "..", _ => "" }).Append('x', random.Next(12)).Append("\r\n");
        }

        var text = message.ToString();
        var wire = Encoding.ASCII.GetBytes(text.Replace("\r\n.", "\r\n..", StringComparison.Ordinal) + ".\r\n+OK next\r\n");
        foreach (var segment in new[] { 16, 32 })
        {
            for (var arriving = 1; arriving <= 2 * segment; arriving++)
            {
                var reader = PipeReader.Create(new TrickleStream(wire, arriving), new StreamPipeReaderOptions(bufferSize: segment, minimumReadSize: 1));
                await using var stream = new Pop3UpstreamMessageStream(reader, TimeSpan.FromSeconds(30));
                var body = new MemoryStream();
                var buffer = new byte[100];
                int read;
                while (true)
                {
                    buffer.AsSpan().Fill((byte)'#');
                    if ((read = await stream.ReadAsync(buffer)) == 0)
                    {
                        break;
                    }

                    body.Write(buffer, 0, read);
                }

                var got = Encoding.ASCII.GetString(body.ToArray());
                Assert.True(text == got, $"segments of {segment}, {arriving} octets arriving at a time: {got.Length} octets for {text.Length}, first difference at {text.AsSpan().CommonPrefixLength(got)}");
            }
        }
    }

    [Fact]
    public async Task A_connection_closed_before_the_terminator_is_an_error_not_a_short_message()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("Subject: cut\r\n\r\nhalf a bo"));
        await pipe.Writer.CompleteAsync();
        await using var stream = new Pop3UpstreamMessageStream(pipe.Reader, TimeSpan.FromSeconds(30));

        await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null));
    }

    /// <summary>A connection that delivers at most <paramref name="chunk"/> octets per read.</summary>
    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }

    private static async Task WriteInChunksAsync(PipeWriter writer, byte[] bytes, int chunk)
    {
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            await writer.WriteAsync(bytes.AsMemory(i, Math.Min(chunk, bytes.Length - i)));
        }

        await writer.CompleteAsync();
    }
}
