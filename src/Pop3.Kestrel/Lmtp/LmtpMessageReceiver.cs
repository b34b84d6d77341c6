using System.Buffers;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// Takes one message's data as it arrives after DATA: dot-unstuffed (<see cref="LmtpDataDecoder"/>) into a bounded
/// spool, up to the final dot. Past <c>Pop3:Lmtp:MaxMessageSize</c> it reads on to the dot but keeps nothing. One per
/// session, reused across messages.
/// </summary>
internal sealed class LmtpMessageReceiver(int spoolMemoryLimit, long maxMessageSize) : IAsyncDisposable
{
    private readonly LmtpSpool _spool = new(spoolMemoryLimit);
    private readonly byte[] _scratch = new byte[16 * 1024];
    private LmtpDataDecoder _decoder;

    /// <summary>Octets of message data so far, after unstuffing.</summary>
    public long Size { get; private set; }

    /// <summary>True once the message is larger than the limit: it will be refused.</summary>
    public bool TooBig => Size > maxMessageSize;

    /// <summary>A new message starts (DATA was accepted).</summary>
    public void Start()
    {
        _decoder.Reset();
        Size = 0;
    }

    /// <summary>Unstuffs message data into the spool; true once the final dot was seen, with what follows it.</summary>
    public async ValueTask<(bool Ended, ReadOnlySequence<byte> Remaining)> ReceiveAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var segment = buffer.First;
            var room = _scratch.Length - 1;
            var chunk = segment.Length > room ? segment[..room] : segment;
            var ended = _decoder.Decode(chunk.Span, _scratch, out var consumed, out var written);
            buffer = buffer.Slice(consumed);
            if (written > 0)
            {
                await StoreAsync(written, cancellationToken);
            }

            if (ended)
            {
                return (true, buffer);
            }
        }

        return (false, buffer);
    }

    /// <summary>The whole message from its first octet, for one recipient's copy. Not to be disposed by the reader.</summary>
    public ValueTask<Stream> RewindAsync(CancellationToken cancellationToken) => _spool.RewindAsync(cancellationToken);

    /// <summary>Empties the spool for the next message.</summary>
    public ValueTask ResetAsync() => _spool.ResetAsync();

    public ValueTask DisposeAsync() => _spool.DisposeAsync();

    private async ValueTask StoreAsync(int written, CancellationToken cancellationToken)
    {
        var wasTooBig = TooBig;
        Size += written;
        if (TooBig)
        {
            // Read to the final dot but keep nothing: the message will be refused.
            if (!wasTooBig)
            {
                await _spool.ResetAsync();
            }

            return;
        }

        await _spool.WriteAsync(_scratch.AsMemory(0, written), cancellationToken);
    }
}
