using System.Buffers;
using System.IO.Pipelines;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// The body of an upstream RETR as it arrives: the leading dot of a stuffed line removed (RFC 1939 section 3), ending
/// at the terminating <c>CRLF.CRLF</c>. Nothing is buffered beyond the connection's pipe, so memory stays bounded.
/// </summary>
internal sealed class Pop3UpstreamMessageStream(PipeReader reader, TimeSpan timeout) : Stream
{
    private bool _atLineStart = true;
    private bool _ended;
    private bool _detached;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Reads the rest of the message off the connection, so the next command's reply is next in line.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (await ReadAsync(scratch, cancellationToken) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>The connection is closing: reads fail from now on.</summary>
    public void Detach() => _detached = true;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_detached, this);
        if (_ended || buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            var result = await Pop3UpstreamConnection.ReadWithTimeoutAsync(reader, timeout, cancellationToken);
            var data = result.Buffer;
            if (_atLineStart)
            {
                var first = data.IsEmpty ? (byte)0 : data.FirstSpan[0];
                if ((data.IsEmpty || (first == (byte)'.' && data.Length < 3)) && !result.IsCompleted)
                {
                    reader.AdvanceTo(data.Start, data.End);
                    continue;
                }

                if (first == (byte)'.')
                {
                    if (data.Length >= 3 && IsCrLf(data.Slice(1, 2)))
                    {
                        reader.AdvanceTo(data.GetPosition(3));
                        _ended = true;
                        return 0;
                    }

                    data = data.Slice(1);
                }

                _atLineStart = false;
            }

            if (data.IsEmpty)
            {
                reader.AdvanceTo(data.Start);
                if (result.IsCompleted)
                {
                    throw new IOException("The upstream closed the connection in the middle of a message.");
                }

                continue;
            }

            var take = data;
            if (data.PositionOf((byte)'\n') is { } end)
            {
                take = data.Slice(0, data.GetPosition(1, end));
            }

            if (take.Length > buffer.Length)
            {
                take = take.Slice(0, buffer.Length);
            }

            _atLineStart = LastByte(take) == (byte)'\n';

            // Measured before AdvanceTo: a sequence over segments the reader has since recycled reports a wrong length
            // (16 KiB too many when a line crossed two), and the caller would take stale buffer bytes as message.
            var length = (int)take.Length;
            take.CopyTo(buffer.Span);
            reader.AdvanceTo(take.End);
            return length;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static bool IsCrLf(ReadOnlySequence<byte> two)
    {
        Span<byte> bytes = stackalloc byte[2];
        two.CopyTo(bytes);
        return bytes[0] == (byte)'\r' && bytes[1] == (byte)'\n';
    }

    private static byte LastByte(ReadOnlySequence<byte> data) => data.Slice(data.Length - 1).FirstSpan[0];
}
