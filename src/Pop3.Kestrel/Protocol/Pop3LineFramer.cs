using System.Buffers;

namespace Pop3.Kestrel.Protocol;

/// <summary>What <see cref="Pop3LineFramer.TryReadLine"/> found.</summary>
internal enum Pop3FrameStatus : byte
{
    /// <summary>No complete line yet: read more.</summary>
    Incomplete,

    /// <summary>A complete line within the limit.</summary>
    Line,

    /// <summary>A line that went over the limit has now ended; its content was discarded as it arrived.</summary>
    TooLong,
}

/// <summary>
/// Cuts CRLF-terminated command lines out of a buffer. Pure and bounded: a line over the limit is
/// thrown away as it arrives (never buffered) and reported once, when its CRLF finally comes, so the
/// client gets exactly one reply per line it sent.
/// </summary>
/// <remarks>A bare LF is not a line end (RFC 1939 §3: commands end in CRLF); it stays inside the line.</remarks>
internal struct Pop3LineFramer(int maxLineLength)
{
    /// <summary>RFC 2449 §4: a command line is at most 255 octets, CRLF included.</summary>
    public const int DefaultMaxLineLength = 255;

    private bool _discarding;

    /// <summary>A framer with the RFC 2449 limit of <see cref="DefaultMaxLineLength"/> octets.</summary>
    /// <remarks>Without it, <c>new Pop3LineFramer()</c> is the all-zero struct whose limit of 0 rejects every line.</remarks>
    public Pop3LineFramer()
        : this(DefaultMaxLineLength)
    {
    }

    /// <summary>The longest line accepted, CRLF included.</summary>
    public int MaxLineLength { get; set; } = maxLineLength;

    /// <summary>True while the rest of an over-long line is being discarded.</summary>
    public readonly bool IsDiscarding => _discarding;

    /// <summary>
    /// Takes the next line out of <paramref name="buffer"/>, which is advanced past what was consumed.
    /// <paramref name="line"/> excludes the CRLF.
    /// </summary>
    public Pop3FrameStatus TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out line, "\r\n"u8))
        {
            buffer = buffer.Slice(reader.Position);
            if (_discarding)
            {
                _discarding = false;
                line = default;
                return Pop3FrameStatus.TooLong;
            }

            if (line.Length + 2 > MaxLineLength)
            {
                line = default;
                return Pop3FrameStatus.TooLong;
            }

            return Pop3FrameStatus.Line;
        }

        line = default;
        if (_discarding || buffer.Length >= MaxLineLength)
        {
            // Keep a trailing CR: it may be the first half of the CRLF that ends the line.
            _discarding = true;
            var keep = EndsWithCr(buffer) ? 1 : 0;
            buffer = buffer.Slice(buffer.Length - keep);
        }

        return Pop3FrameStatus.Incomplete;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return false;
        }

        var last = buffer.Slice(buffer.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
