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
    /// True during the handshake. Every read then first sends what the handshake wrote, since the peer needs it before
    /// it answers, and returns on the thread pool, so what the reader does next (a key exchange and signature) does not
    /// hold a socket event thread shared with other connections.
    /// </summary>
    /// <remarks>
    /// A write only copies into the transport's pipe; a flush sends. During the handshake SslStream's own flushes (one
    /// after each of its writes) are left to the read that waits for the peer's answer, and to the transport once the
    /// handshake is done: TLS 1.2's last flight (the server's Finished) is sent then, as the client waits for it,
    /// while TLS 1.3's last writes, the session tickets, go out with the first reply instead of in a send of their own.
    /// After the handshake, a RETR's records go out in one send per flush of the message writer (64 KiB) instead of
    /// one send per record. Memory stays bounded by that flush, and a client that does not read holds the flush back.
    /// </remarks>
    public bool IsHandshaking { get; set; } = true;

    private volatile bool _stoppedWaiting;

    private bool _unflushed;

    /// <summary>From now on no write or flush waits for the client: the pending flush returns, later ones are skipped.</summary>
    public void StopWaiting()
    {
        _stoppedWaiting = true;
        transport.Output.CancelPendingFlush();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (IsHandshaking && _unflushed)
        {
            await SendAsync(cancellationToken);
        }

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
        transport.Output.Write(source.Span);
        _unflushed = true;
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        IsHandshaking ? Task.CompletedTask : SendAsync(cancellationToken);

    /// <summary>Sends what was written; throws <see cref="IOException"/> if the client is gone.</summary>
    public async Task SendAsync(CancellationToken cancellationToken)
    {
        _unflushed = false;
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
