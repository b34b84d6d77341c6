using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
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
internal struct Pop3MessageEncoder
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
    /// A whole message (RETR, and sizes) goes through <see cref="EncodeWhole"/>, one vectorised pass; TOP goes line by line.
    /// Output is requested in small pieces, so a pipe's own segment size is kept.
    /// </remarks>
    public bool Encode(ReadOnlySpan<byte> chunk, IBufferWriter<byte>? output)
    {
        var span = Span<byte>.Empty;
        var written = 0;
        var more = true;
        while (!chunk.IsEmpty)
        {
            if (_bodyLinesLeft < 0)
            {
                // A whole message: nothing ends early, so headers and body go through the same one pass,
                // split where the headers end only to count body lines.
                if (_inHeaders)
                {
                    var end = HeaderEnd(chunk);
                    var bodyLines = BodyLines;
                    EncodeWhole(end < 0 ? chunk : chunk[..end], output, ref span, ref written);
                    BodyLines = bodyLines;
                    if (end < 0)
                    {
                        break;
                    }

                    _inHeaders = false;
                    chunk = chunk[end..];
                    continue;
                }

                EncodeWhole(chunk, output, ref span, ref written);
                break;
            }

            if (!_midLine)
            {
                if (IsDone)
                {
                    more = false;
                    break;
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

    private const int Block = 64;

    /// <summary>Room in the span for one block copied with over-long stores: 64 octets, up to 64 inserted, 64 of overshoot.</summary>
    private const int FastRoom = 3 * Block;

    /// <summary>
    /// The index after the LF that ends the first empty line (LF or CRLF alone) in <paramref name="chunk"/>, taking
    /// the line that the previous chunk left open into account; -1 if there is none.
    /// </summary>
    private readonly int HeaderEnd(ReadOnlySpan<byte> chunk)
    {
        // Bit 1: a line starts at the chunk's first octet; bit 0: a line starts at the octet before it, a CR.
        ulong lineBefore = !_midLine ? 2UL : _lineLength == 1 && _lastWasCr ? 1UL : 0;
        ulong crBefore = _lastWasCr ? 1UL : 0;
        for (var b = 0; b < chunk.Length; b += Block)
        {
            var (lf, cr, _) = chunk.Length - b >= Block ? Masks(ref Unsafe.Add(ref MemoryMarshal.GetReference(chunk), b)) : PartialMasks(chunk[b..]);

            // An LF ends an empty line when a line starts at it, or at a CR just before it.
            var startsHere = (lf << 1) | (lineBefore >> 1);
            var startsBefore = (lf << 2) | lineBefore;
            var blank = lf & (startsHere | (((cr << 1) | crBefore) & startsBefore));
            if (blank != 0)
            {
                return b + BitOperations.TrailingZeroCount(blank) + 1;
            }

            lineBefore = lf >> 62;
            crBefore = cr >> 63;
        }

        return -1;
    }

    /// <summary>
    /// A whole message (headers or body): the output is the input with a CR inserted before every bare LF and a '.' before
    /// every '.' that starts a line, so only those insertion points need finding.
    /// </summary>
    /// <remarks>
    /// Shaped for speed because this is every RETR of a Maildir message (bare LF, a line every ~60 octets):
    /// each 64-octet block is compared once for LF, CR and '.', giving bit masks; "previous octet" is a shift of
    /// the mask with a carry across blocks (and across chunks, from <see cref="_midLine"/> and <see cref="_lastWasCr"/>),
    /// so nothing is searched twice and no line is handled on its own. Blocks go through <see cref="FastBlocks"/> (the
    /// last ones of a chunk through <see cref="FastTail"/>); only where the span lacks room for over-long stores, at the
    /// end of a pipe's segment, through <see cref="ExactBlock"/>, and for sizes through <see cref="CountBlocks"/>.
    /// </remarks>
    private void EncodeWhole(ReadOnlySpan<byte> chunk, IBufferWriter<byte>? output, ref Span<byte> span, ref int written)
    {
        ref var source = ref MemoryMarshal.GetReference(chunk);
        var n = chunk.Length;
        var scan = new BodyScan(crBefore: _lastWasCr, lineStart: !_midLine);
        var b = 0;
        while (b < n)
        {
            if (output is not null && span.Length - written >= FastRoom)
            {
                ref var destination = ref Unsafe.Add(ref MemoryMarshal.GetReference(span), written);
                written += n - b >= 2 * Block
                    ? FastBlocks(ref source, n, ref b, ref destination, span.Length - written, ref scan)
                    : FastTail(chunk, ref b, ref destination, span.Length - written, ref scan);
                continue;
            }

            if (output is null && n - b >= Block)
            {
                CountBlocks(ref source, n, ref b, ref scan);
                continue;
            }

            var (lf, cr, dot) = n - b >= Block ? Masks(ref Unsafe.Add(ref source, b)) : PartialMasks(chunk[b..]);
            var inserts = scan.Next(lf, cr, dot);
            if (output is not null)
            {
                ExactBlock(chunk[b..Math.Min(n, b + Block)], inserts, output, ref span, ref written);
            }

            b += Block;
        }

        Length += n + scan.Crs;
        WireLength += n + scan.Crs + scan.Dots;
        BodyLines += (int)scan.Lines;
        var lastLf = chunk.LastIndexOf((byte)'\n');
        _lineLength = lastLf < 0 ? _lineLength + n : n - lastLf - 1;
        _midLine = _lineLength > 0;
        _lastWasCr = chunk[^1] == (byte)'\r';
    }

    /// <summary>What the blocks seen so far carry into the next one, and what they counted.</summary>
    private struct BodyScan(bool crBefore, bool lineStart)
    {
        private ulong _crBefore = crBefore ? 1UL : 0;
        private ulong _lfBefore = lineStart ? 1UL : 0;

        public long Lines { get; private set; }

        public long Crs { get; private set; }

        public long Dots { get; private set; }

        /// <summary>Takes the next block's masks; returns its insertion points: bare LFs and dots that start a line.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ulong Next(ulong lf, ulong cr, ulong dot)
        {
            var bareLf = lf & ~((cr << 1) | _crBefore);
            var stuffed = dot & ((lf << 1) | _lfBefore);
            _crBefore = cr >> 63;
            _lfBefore = lf >> 63;
            Lines += BitOperations.PopCount(lf);
            Crs += BitOperations.PopCount(bareLf);
            Dots += BitOperations.PopCount(stuffed);
            return bareLf | stuffed;
        }
    }

    /// <summary>
    /// Encodes whole blocks from <paramref name="b"/> straight into <paramref name="destination"/> while the input has a
    /// block to spare after the current one and the span has <see cref="FastRoom"/> left. Returns the octets written.
    /// </summary>
    /// <remarks>
    /// Branch-free for up to two insertion points per block (a ~60-octet line gives one or two), because a branch on
    /// their number or on a line's length is mispredicted often enough to cost more than the copying: the octets
    /// between insertion points are copied with one 64-octet store each, whatever their number (the excess is
    /// overwritten by the next store), and an absent insertion point is the block's end (TrailingZeroCount of an empty
    /// mask is 64), where the "inserted" octet is written but not counted, to be overwritten too.
    /// </remarks>
    private static int FastBlocks(ref byte source, int n, ref int b, ref byte destination, int room, ref BodyScan scan)
    {
        var local = scan;
        var i = b;
        var o = 0;
        do
        {
            var (lf, cr, dot) = Masks(ref Unsafe.Add(ref source, i));
            var inserts = local.Next(lf, cr, dot);
            if (inserts == 0)
            {
                // CRLF input: nearly every block; LF input: rarely, so this branch is predicted either way.
                Copy64(ref Unsafe.Add(ref source, i), ref Unsafe.Add(ref destination, o));
                o += Block;
                i += Block;
                continue;
            }

            var first = BitOperations.TrailingZeroCount(inserts);
            inserts &= inserts - 1;
            var second = BitOperations.TrailingZeroCount(inserts);
            inserts &= inserts - 1;

            Copy64(ref Unsafe.Add(ref source, i), ref Unsafe.Add(ref destination, o));
            o += first;
            Unsafe.Add(ref destination, o) = Inserted(lf, first);
            o += 1 - (first >> 6);
            Copy64(ref Unsafe.Add(ref source, i + first), ref Unsafe.Add(ref destination, o));
            o += second - first;
            Unsafe.Add(ref destination, o) = Inserted(lf, second);
            o += 1 - (second >> 6);

            var from = second;
            while (inserts != 0)
            {
                var at = BitOperations.TrailingZeroCount(inserts);
                inserts &= inserts - 1;
                Copy64(ref Unsafe.Add(ref source, i + from), ref Unsafe.Add(ref destination, o));
                o += at - from;
                Unsafe.Add(ref destination, o++) = Inserted(lf, at);
                from = at;
            }

            Copy64(ref Unsafe.Add(ref source, i + from), ref Unsafe.Add(ref destination, o));
            o += Block - from;
            i += Block;
        }
        while (n - i >= 2 * Block && room - o >= FastRoom);

        b = i;
        scan = local;
        return o;
    }

    /// <summary>
    /// <see cref="FastBlocks"/> for the last blocks of <paramref name="chunk"/>, from <paramref name="b"/>: they are copied
    /// into a buffer padded with zeros (none of LF, CR, '.') so that they too can be read past their end; what the padding
    /// put in the output is not counted. Returns the octets written.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int FastTail(ReadOnlySpan<byte> chunk, ref int b, ref byte destination, int room, ref BodyScan scan)
    {
        var tail = chunk[b..]; // shorter than 2 * Block
        Span<byte> padded = stackalloc byte[3 * Block];
        tail.CopyTo(padded);

        // Stops after the block holding the tail's last octet: its end plus one block is the padded length.
        var blocks = (tail.Length + Block - 1) / Block;
        var i = 0;
        var o = FastBlocks(ref MemoryMarshal.GetReference(padded), (blocks + 1) * Block, ref i, ref destination, room, ref scan);
        if (i < tail.Length)
        {
            // The span ran short after the first block, which was all tail.
            b += i;
            return o;
        }

        b = chunk.Length;
        return o - (i - tail.Length);
    }

    /// <summary>Only counts, for sizes: every whole block from <paramref name="b"/>.</summary>
    private static void CountBlocks(ref byte source, int n, ref int b, ref BodyScan scan)
    {
        var local = scan;
        var i = b;
        for (; n - i >= Block; i += Block)
        {
            var (lf, cr, dot) = Masks(ref Unsafe.Add(ref source, i));
            local.Next(lf, cr, dot);
        }

        b = i;
        scan = local;
    }

    /// <summary>What goes before the octet at <paramref name="at"/> of a block: a CR before an LF, a '.' before a '.'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Inserted(ulong lf, int at) => ((lf >> at) & 1) != 0 ? (byte)'\r' : (byte)'.';

    /// <summary>Writes one block with exact copies, across as many spans as it takes.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExactBlock(ReadOnlySpan<byte> block, ulong inserts, IBufferWriter<byte> output, ref Span<byte> span, ref int written)
    {
        var from = 0;
        while (inserts != 0)
        {
            var at = BitOperations.TrailingZeroCount(inserts);
            inserts &= inserts - 1;
            Copy(block[from..at], output, ref span, ref written);
            Copy(block[at] == (byte)'\n' ? "\r"u8 : "."u8, output, ref span, ref written);
            from = at;
        }

        Copy(block[from..], output, ref span, ref written);
    }

    /// <summary>The masks of the last, partial block, read from a zeroed copy (zero is none of LF, CR, '.').</summary>
    /// <remarks>Its own method so that the stackalloc does not keep <see cref="EncodeWhole"/> from being optimised fully.</remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (ulong Lf, ulong Cr, ulong Dot) PartialMasks(ReadOnlySpan<byte> tail)
    {
        Span<byte> block = stackalloc byte[Block];
        tail.CopyTo(block);
        return Masks(ref MemoryMarshal.GetReference(block));
    }

    /// <summary>Bit i of each mask is set when octet i of the 64 at <paramref name="block"/> is LF, CR or '.'.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Lf, ulong Cr, ulong Dot) Masks(ref byte block)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.LoadUnsafe(ref block);
            return (
                Vector512.Equals(v, Vector512.Create((byte)'\n')).ExtractMostSignificantBits(),
                Vector512.Equals(v, Vector512.Create((byte)'\r')).ExtractMostSignificantBits(),
                Vector512.Equals(v, Vector512.Create((byte)'.')).ExtractMostSignificantBits());
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var v0 = Vector256.LoadUnsafe(ref block);
            var v1 = Vector256.LoadUnsafe(ref block, 32);
            return (
                Vector256.Equals(v0, Vector256.Create((byte)'\n')).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(v1, Vector256.Create((byte)'\n')).ExtractMostSignificantBits() << 32),
                Vector256.Equals(v0, Vector256.Create((byte)'\r')).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(v1, Vector256.Create((byte)'\r')).ExtractMostSignificantBits() << 32),
                Vector256.Equals(v0, Vector256.Create((byte)'.')).ExtractMostSignificantBits() | ((ulong)Vector256.Equals(v1, Vector256.Create((byte)'.')).ExtractMostSignificantBits() << 32));
        }

        ulong lf = 0, cr = 0, dot = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            for (var i = 0; i < Block; i += 16)
            {
                var v = Vector128.LoadUnsafe(ref block, (nuint)i);
                lf |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'\n')).ExtractMostSignificantBits() << i;
                cr |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'\r')).ExtractMostSignificantBits() << i;
                dot |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'.')).ExtractMostSignificantBits() << i;
            }

            return (lf, cr, dot);
        }

        for (var i = 0; i < Block; i++)
        {
            var b = Unsafe.Add(ref block, i);
            lf |= (b == (byte)'\n' ? 1UL : 0) << i;
            cr |= (b == (byte)'\r' ? 1UL : 0) << i;
            dot |= (b == (byte)'.' ? 1UL : 0) << i;
        }

        return (lf, cr, dot);
    }

    /// <summary>Copies 64 octets.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy64(ref byte source, ref byte destination)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.LoadUnsafe(ref source).StoreUnsafe(ref destination);
        }
        else
        {
            Vector256.LoadUnsafe(ref source).StoreUnsafe(ref destination);
            Vector256.LoadUnsafe(ref source, 32).StoreUnsafe(ref destination, 32);
        }
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
