using System.Buffers;
using System.IO.Pipelines;

namespace Pop3.Kestrel.Protocol.Tests;

/// <summary>A read-only stream that hands out at most a few octets per read, to move chunk boundaries around.</summary>
internal sealed class TrickleStream(byte[] data, Func<int> nextReadSize) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => data.Length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = Math.Min(Math.Min(buffer.Length, nextReadSize()), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush() => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal static class PipeRunner
{
    /// <summary>Runs <see cref="Pop3MessageWriter.WriteAsync"/> into a <see cref="Pipe"/> while a reader drains it, and returns everything written.</summary>
    public static async Task<byte[]> WriteAsync(Stream message, int bodyLines)
    {
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var reading = ReadAllAsync(pipe.Reader);
        Assert.True(await Pop3MessageWriter.WriteAsync(message, pipe.Writer, bodyLines, CancellationToken.None));
        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();
        return await reading;
    }

    public static Task<byte[]> WriteAsync(byte[] message, int bodyLines) => WriteAsync(new MemoryStream(message, writable: false), bodyLines);

    private static async Task<byte[]> ReadAllAsync(PipeReader reader)
    {
        var all = new MemoryStream();
        while (true)
        {
            var result = await reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                all.Write(segment.Span);
            }

            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync();
                return all.ToArray();
            }
        }
    }
}
