namespace Pop3.Kestrel.Commands;

/// <summary>
/// A message on its way to the client for RETR: the store's stream, read through, counting what has been read and
/// handed to the connection, so that a transfer cut short (by a drain that ran out of time) can say how far it got.
/// It does not own the store's stream: the sender disposes that.
/// </summary>
internal sealed class Pop3MessageTransfer(Stream message, int number, long total) : Stream
{
    /// <summary>The message number.</summary>
    public int Number => number;

    /// <summary>The message's size as LIST gave it.</summary>
    public long Total => total;

    /// <summary>
    /// The octets of the message, as stored, read so far and handed to the connection. What still sat in the
    /// connection's buffers when it was cut counts too, so the client may have received somewhat less.
    /// </summary>
    public long Sent { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Sent;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(message.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(message.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await message.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int read)
    {
        Sent += read;
        return read;
    }
}
