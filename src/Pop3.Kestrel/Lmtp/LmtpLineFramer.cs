using System.Buffers;

namespace Pop3.Kestrel.Lmtp;

/// <summary>What <see cref="LmtpLineFramer.TryRead"/> found at the start of the buffer.</summary>
internal enum LmtpFrame
{
    /// <summary>No complete line yet: read more.</summary>
    Incomplete,

    /// <summary>A command line, without its line ending.</summary>
    Line,

    /// <summary>A line longer than RFC 5321 allows ended here; it was skipped and earns <c>500 5.5.2</c>.</summary>
    TooLong,
}

/// <summary>
/// Splits LMTP command lines off a buffer: pure and synchronous, so it can be tested at every split of the input.
/// A command line is at most 512 octets with its CRLF (RFC 5321 §4.5.3.1.4); a longer one is skipped as it arrives,
/// never buffered, and reported once its end is seen. A bare LF ends a line too (as Postfix's smtpd allows).
/// </summary>
internal static class LmtpLineFramer
{
    /// <summary>The longest command line, CRLF included.</summary>
    public const int MaxLineLength = 512;

    /// <summary>
    /// Takes the first line off <paramref name="buffer"/>. <paramref name="discarding"/> carries, between calls, that a
    /// too-long line is being skipped.
    /// </summary>
    public static LmtpFrame TryRead(ref ReadOnlySequence<byte> buffer, ref bool discarding, out ReadOnlySequence<byte> line)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.TryReadTo(out line, (byte)'\n'))
        {
            var whole = buffer.Length - reader.Remaining;
            buffer = buffer.Slice(reader.Position);
            if (discarding || whole > MaxLineLength)
            {
                discarding = false;
                line = default;
                return LmtpFrame.TooLong;
            }

            if (line.Length > 0 && EndsWithCr(line))
            {
                line = line.Slice(0, line.Length - 1);
            }

            return LmtpFrame.Line;
        }

        line = default;

        // Without its LF, 512 octets already make a line of at least 513.
        if (discarding || buffer.Length >= MaxLineLength)
        {
            discarding = true;
            buffer = buffer.Slice(buffer.End);
        }

        return LmtpFrame.Incomplete;
    }

    private static bool EndsWithCr(in ReadOnlySequence<byte> line)
    {
        var last = line.Slice(line.Length - 1);
        return last.FirstSpan[0] == (byte)'\r';
    }
}
