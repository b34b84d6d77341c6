namespace Pop3.Kestrel.Maildrops;

/// <summary>Rewrites a message stream on the fly: NUL to 0x80, and an end-of-headers line appended when none was seen.</summary>
internal sealed class WorkaroundStream(Stream inner, Pop3ClientWorkarounds workarounds) : Stream
{
    private bool _atLineStart = true;
    private bool _pendingCr;
    private bool _sawEndOfHeaders;
    private bool _lastWasLf;
    private bool _anyByte;
    private byte[]? _tail;
    private int _tailOffset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_tail is not null)
        {
            return ReadTail(buffer);
        }

        var read = inner.Read(buffer);
        return Process(buffer, read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_tail is not null)
        {
            return ReadTail(buffer.Span);
        }

        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Process(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Process(Span<byte> buffer, int read)
    {
        if (read == 0)
        {
            if (workarounds.HasFlag(Pop3ClientWorkarounds.OeNsEoh) && !_sawEndOfHeaders && _anyByte)
            {
                // End the last line if it is open, then the empty line that ends the headers.
                _tail = _lastWasLf ? "\r\n"u8.ToArray() : "\r\n\r\n"u8.ToArray();
                return ReadTail(buffer);
            }

            return 0;
        }

        _anyByte = true;
        foreach (ref var b in buffer[..read])
        {
            if (b == 0 && workarounds.HasFlag(Pop3ClientWorkarounds.OutlookNoNuls))
            {
                b = 0x80;
            }

            if (!_sawEndOfHeaders)
            {
                if (b == (byte)'\n')
                {
                    if (_atLineStart)
                    {
                        _sawEndOfHeaders = true;
                    }

                    _atLineStart = true;
                    _pendingCr = false;
                }
                else if (b == (byte)'\r' && _atLineStart && !_pendingCr)
                {
                    _pendingCr = true;
                }
                else
                {
                    _atLineStart = false;
                    _pendingCr = false;
                }
            }
        }

        _lastWasLf = buffer[read - 1] == (byte)'\n';
        return read;
    }

    private int ReadTail(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _tail!.Length - _tailOffset);
        _tail.AsSpan(_tailOffset, n).CopyTo(buffer);
        _tailOffset += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
