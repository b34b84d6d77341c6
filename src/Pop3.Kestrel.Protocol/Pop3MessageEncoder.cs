using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Pop3.Kestrel.Protocol;

/// <summary>
/// Turns raw message bytes into the body of a multi-line reply (RFC 1939 §3), chunk by chunk:
/// a bare LF becomes CRLF, a line starting with '.' gets one more '.', and, for TOP, output stops
/// after the header section, the blank line and the requested number of body lines.
/// </summary>
/// <remarks>
/// Decisions RFC 1939 leaves open: a bare CR (not followed by LF) is data and passes unchanged;
/// a message whose last line has no line ending gets a CRLF, which counts in its size; nothing is
/// stripped (an mbox "From " line stored in the message is served as part of it).
/// With a null output the encoder only counts, which is how sizes are computed by the same rules.
/// </remarks>
public struct Pop3MessageEncoder
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
    public Pop3MessageEncoder()
        : this(-1)
    {
    }

    /// <summary>An encoder for the headers and <paramref name="bodyLines"/> body lines (TOP), or the whole message when negative.</summary>
    public Pop3MessageEncoder(int bodyLines)
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
    /// <remarks>
    /// Runs of whole lines that need no change (CRLF-terminated, the next line not starting with '.') are
    /// found with a vectorised scan and copied in bulk; other lines are rewritten one by one straight into
    /// the writer's span. Output is requested in small pieces, so a pipe's own segment size is kept.
    /// </remarks>
    public bool Encode(ReadOnlySpan<byte> chunk, IBufferWriter<byte>? output)
    {
        var span = Span<byte>.Empty;
        var written = 0;
        var more = true;
        while (!chunk.IsEmpty)
        {
            if (!_midLine)
            {
                if (IsDone)
                {
                    more = false;
                    break;
                }

                // Whole message and past the headers: copy the longest run of lines that need no change.
                if (_bodyLinesLeft < 0 && !_inHeaders && chunk[0] != (byte)'.')
                {
                    var run = UnchangedRun(chunk);
                    if (run > 0)
                    {
                        BodyLines += chunk[..run].Count((byte)'\n');
                        CopyOut(chunk[..run], output, ref span, ref written);
                        chunk = chunk[run..];
                        continue;
                    }

                    // It starts with a bare-LF line: rewrite such lines in a tight loop.
                    run = RewriteBareLfLines(chunk, output, ref span, ref written);
                    if (run > 0)
                    {
                        chunk = chunk[run..];
                        continue;
                    }
                }

                _midLine = true;
                if (chunk[0] == (byte)'.')
                {
                    CopyOut("."u8, output, ref span, ref written);
                    Length--;
                }
            }

            var lf = chunk.IndexOf((byte)'\n');
            if (lf < 0)
            {
                CopyOut(chunk, output, ref span, ref written);
                _lineLength += chunk.Length;
                _lastWasCr = chunk[^1] == (byte)'\r';
                break;
            }

            var segment = chunk[..lf];
            var crBeforeLf = segment.IsEmpty ? _lastWasCr && _lineLength > 0 : segment[^1] == (byte)'\r';
            CopyOut(chunk[..(lf + 1)], output, ref span, ref written, insertCr: !crBeforeLf);
            EndLine(_lineLength + segment.Length - (crBeforeLf ? 1 : 0));
            chunk = chunk[(lf + 1)..];
        }

        output?.Advance(written);
        return more && !IsDone;
    }

    /// <summary>
    /// From a line start in the body of a whole message: copies lines ending in a bare LF with CRLF instead,
    /// until a line starts with '.', ends in CRLF, or is not complete in <paramref name="chunk"/>. Returns the octets consumed.
    /// </summary>
    private int RewriteBareLfLines(ReadOnlySpan<byte> chunk, IBufferWriter<byte>? output, ref Span<byte> span, ref int written)
    {
        var consumed = 0;
        long produced = 0;
        var lines = 0;
        while (true)
        {
            var rest = chunk[consumed..];
            if (rest.IsEmpty || rest[0] == (byte)'.')
            {
                break;
            }

            var lf = rest.IndexOf((byte)'\n');
            if (lf < 0 || (lf > 0 && rest[lf - 1] == (byte)'\r'))
            {
                break;
            }

            if (output is not null)
            {
                if (span.Length - written < lf + 2)
                {
                    if (lf + 2 > MinimumSpan)
                    {
                        // A long line: the general path copies it in pieces.
                        break;
                    }

                    output.Advance(written);
                    span = output.GetSpan(MinimumSpan);
                    written = 0;
                }

                var destination = span[written..];
                rest[..lf].CopyTo(destination);
                destination[lf] = (byte)'\r';
                destination[lf + 1] = (byte)'\n';
                written += lf + 2;
            }

            produced += lf + 2;
            consumed += lf + 1;
            lines++;
        }

        Length += produced;
        WireLength += produced;
        BodyLines += lines;
        return consumed;
    }

    private void CopyOut(ReadOnlySpan<byte> bytes, IBufferWriter<byte>? output, ref Span<byte> span, ref int written, bool insertCr = false)
    {
        var total = bytes.Length + (insertCr ? 1 : 0);
        WireLength += total;
        Length += total;
        if (output is null)
        {
            return;
        }

        if (insertCr)
        {
            // bytes ends in the LF that gets a CR before it.
            Copy(bytes[..^1], output, ref span, ref written);
            Copy("\r\n"u8, output, ref span, ref written);
        }
        else
        {
            Copy(bytes, output, ref span, ref written);
        }
    }

    private static void Copy(ReadOnlySpan<byte> bytes, IBufferWriter<byte> output, ref Span<byte> span, ref int written)
    {
        while (!bytes.IsEmpty)
        {
            if (written == span.Length)
            {
                output.Advance(written);
                span = output.GetSpan(MinimumSpan);
                written = 0;
            }

            var n = Math.Min(bytes.Length, span.Length - written);
            bytes[..n].CopyTo(span[written..]);
            written += n;
            bytes = bytes[n..];
        }
    }

    private const int MinimumSpan = 256;

    /// <summary>
    /// The length of the longest prefix of <paramref name="chunk"/>, which starts a line, made of whole lines that
    /// end in CRLF and are not followed by a line starting with '.': bytes that go out unchanged.
    /// </summary>
    internal static int UnchangedRun(ReadOnlySpan<byte> chunk)
    {
        var problem = FirstChangingLf(chunk);
        if (problem < 0)
        {
            return chunk.LastIndexOf((byte)'\n') + 1;
        }

        // An LF followed by '.': its line is fine, the next one is not. A bare LF: its own line is not.
        var bare = problem == 0 || chunk[problem - 1] != (byte)'\r';
        return bare ? chunk[..problem].LastIndexOf((byte)'\n') + 1 : problem + 1;
    }

    /// <summary>The index of the first LF that is bare (no CR before it in <paramref name="s"/>) or followed by '.', or -1.</summary>
    internal static int FirstChangingLf(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty)
        {
            return -1;
        }

        if (s[0] == (byte)'\n')
        {
            return 0;
        }

        var i = 1;
        ref var start = ref MemoryMarshal.GetReference(s);
        if (Vector256.IsHardwareAccelerated)
        {
            var lf = Vector256.Create((byte)'\n');
            var cr = Vector256.Create((byte)'\r');
            var dot = Vector256.Create((byte)'.');
            for (; i + Vector256<byte>.Count < s.Length; i += Vector256<byte>.Count)
            {
                var isLf = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), lf);
                if (isLf == Vector256<byte>.Zero)
                {
                    continue;
                }

                var bad = isLf & (~Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i - 1)), cr) | Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i + 1)), dot));
                if (bad != Vector256<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(bad.ExtractMostSignificantBits());
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var lf = Vector128.Create((byte)'\n');
            var cr = Vector128.Create((byte)'\r');
            var dot = Vector128.Create((byte)'.');
            for (; i + Vector128<byte>.Count < s.Length; i += Vector128<byte>.Count)
            {
                var isLf = Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)i), lf);
                if (isLf == Vector128<byte>.Zero)
                {
                    continue;
                }

                var bad = isLf & (~Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(i - 1)), cr) | Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)(i + 1)), dot));
                if (bad != Vector128<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(bad.ExtractMostSignificantBits());
                }
            }
        }

        // The tail, and everything without vectors. An LF that ends the chunk: its next byte is the next chunk's
        // first, which the caller checks at the start of that line.
        for (; i < s.Length; i++)
        {
            if (s[i] == (byte)'\n' && (s[i - 1] != (byte)'\r' || (i + 1 < s.Length && s[i + 1] == (byte)'.')))
            {
                return i;
            }
        }

        return -1;
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
