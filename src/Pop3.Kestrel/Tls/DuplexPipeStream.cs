using System.Buffers;
using System.IO.Pipelines;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tls;

/// <summary>The connection's pipes as one Stream, for SslStream to run over (implicit TLS and STLS).</summary>
internal sealed class DuplexPipeStream(IDuplexPipe transport) : Stream
{
    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// True during the handshake. Every read then returns on the thread pool, so what the reader does next (a key
    /// exchange and signature) does not hold a socket event thread shared with other connections; and every write
    /// is flushed, as SslStream does not flush the handshake's flights itself.
    /// </summary>
    /// <remarks>
    /// Once false, a write only copies its record into the transport's pipe, and <see cref="FlushAsync"/> sends
    /// them: a RETR's records go out in one send per flush of the message writer (64 KiB) instead of one send
    /// per record. Memory stays bounded by that flush, and a client that does not read holds the flush back.
    /// </remarks>
    public bool IsHandshaking { get; set; } = true;

    private volatile bool _stoppedWaiting;

    /// <summary>From now on no write or flush waits for the client: the pending flush returns, later ones are skipped.</summary>
    public void StopWaiting()
    {
        _stoppedWaiting = true;
        transport.Output.CancelPendingFlush();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var result = await transport.Input.ReadAsync(cancellationToken);
            if (IsHandshaking)
            {
                await new Pop3ThreadPoolHop();
            }

            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                var count = (int)Math.Min(buffer.Length, destination.Length);
                buffer.Slice(0, count).CopyTo(destination.Span);
                transport.Input.AdvanceTo(buffer.GetPosition(count));
                return count;
            }

            transport.Input.AdvanceTo(buffer.End);
            if (result.IsCompleted || result.IsCanceled)
            {
                return 0;
            }
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (IsHandshaking && !_stoppedWaiting)
        {
            return WriteAndFlushAsync(source, cancellationToken);
        }

        transport.Output.Write(source.Span);
        return ValueTask.CompletedTask;
    }

    private async ValueTask WriteAndFlushAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        var result = await transport.Output.WriteAsync(source, cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("The client closed the connection.");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_stoppedWaiting)
        {
            return;
        }

        var result = await transport.Output.FlushAsync(cancellationToken);
        if (result.IsCompleted)
        {
            throw new IOException("The client closed the connection.");
        }
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
