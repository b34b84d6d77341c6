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
    public async Task A_connection_closed_before_the_terminator_is_an_error_not_a_short_message()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes("Subject: cut\r\n\r\nhalf a bo"));
        await pipe.Writer.CompleteAsync();
        await using var stream = new Pop3UpstreamMessageStream(pipe.Reader, TimeSpan.FromSeconds(30));

        await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null));
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
