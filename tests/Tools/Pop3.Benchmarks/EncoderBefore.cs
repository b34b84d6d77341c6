using System.Buffers;

namespace Pop3.Benchmarks;

/// <summary>
/// Pop3MessageEncoder as it was before its bulk paths (at commit 1b4f0fa): one output write per line piece.
/// Kept only so the benchmark measures the change against it in the same run.
/// </summary>
internal struct EncoderBefore
{
    private int _bodyLinesLeft;
    private bool _inHeaders;
    private bool _midLine;
    private bool _lastWasCr;
    private long _lineLength;

    /// <summary>An encoder for the whole message (RETR).</summary>
    /// <remarks>
    /// Needed because <c>new Pop3MessageEncoder()</c> on a struct never calls a constructor whose parameters are
    /// all optional: without it, that expression gave an all-zero encoder that stopped before the first octet.
    /// </remarks>
    public EncoderBefore()
        : this(-1)
    {
    }

    /// <summary>An encoder for the headers and <paramref name="bodyLines"/> body lines (TOP), or the whole message when negative.</summary>
    public EncoderBefore(int bodyLines)
    {
        _bodyLinesLeft = bodyLines;
        _inHeaders = true;
    }

    /// <summary>Octets produced so far, not counting stuffing dots: the message as the client keeps it (its POP3 size).</summary>
    public long Length { get; private set; }

    /// <summary>Octets produced so far, stuffing dots included: what went on the wire.</summary>
    public long WireLength { get; private set; }

    /// <summary>Body lines produced so far.</summary>
    public int BodyLines { get; private set; }

    /// <summary>True once TOP's limit is reached: no more input is wanted.</summary>
    public readonly bool IsDone => !_midLine && !_inHeaders && _bodyLinesLeft == 0;

    /// <summary>Encodes one chunk. Returns false once TOP's limit is reached; the rest of the input is then ignored.</summary>
    public bool Encode(ReadOnlySpan<byte> chunk, IBufferWriter<byte>? output)
    {
        while (!chunk.IsEmpty)
        {
            if (!_midLine)
            {
                if (IsDone)
                {
                    return false;
                }

                _midLine = true;
                if (chunk[0] == (byte)'.')
                {
                    Put("."u8, output);
                    Length--;
                }
            }

            var lf = chunk.IndexOf((byte)'\n');
            if (lf < 0)
            {
                Put(chunk, output);
                _lineLength += chunk.Length;
                _lastWasCr = chunk[^1] == (byte)'\r';
                return true;
            }

            var segment = chunk[..lf];
            Put(segment, output);
            var crBeforeLf = segment.IsEmpty ? _lastWasCr && _lineLength > 0 : segment[^1] == (byte)'\r';
            Put(crBeforeLf ? "\n"u8 : "\r\n"u8, output);
            EndLine(_lineLength + segment.Length - (crBeforeLf ? 1 : 0));
            chunk = chunk[(lf + 1)..];
        }

        return !IsDone;
    }

    /// <summary>Ends the message: a CRLF if its last line had none, then the terminating "." CRLF.</summary>
    public void Complete(IBufferWriter<byte>? output)
    {
        if (_midLine)
        {
            Put("\r\n"u8, output);
            EndLine(_lineLength);
        }

        output?.Write(".\r\n"u8);
    }

    /// <summary>Completes the size count: the POP3 size of a message whose bytes were all passed to <see cref="Encode"/>.</summary>
    public long CompleteLength()
    {
        Complete(null);
        return Length;
    }

    private void EndLine(long contentLength)
    {
        if (_inHeaders)
        {
            _inHeaders = contentLength != 0;
        }
        else
        {
            BodyLines++;
            if (_bodyLinesLeft > 0)
            {
                _bodyLinesLeft--;
            }
        }

        _midLine = false;
        _lastWasCr = false;
        _lineLength = 0;
    }

    private void Put(ReadOnlySpan<byte> bytes, IBufferWriter<byte>? output)
    {
        Length += bytes.Length;
        WireLength += bytes.Length;
        output?.Write(bytes);
    }
}
