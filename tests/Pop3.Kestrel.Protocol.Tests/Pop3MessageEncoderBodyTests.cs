using System.Buffers;

namespace Pop3.Kestrel.Protocol.Tests;

/// <summary>
/// The encoder's one-pass path for the body of a whole message: 64-octet blocks, bit masks carried from block to
/// block and chunk to chunk, over-long copies when the output span has room and exact ones when it has not.
/// Everything is checked against <see cref="Reference.Encode"/>, a plain loop over the octets.
/// </summary>
public sealed class Pop3MessageEncoderBodyTests
{
    private const string Headers = "Subject: x\n\n";

    /// <summary>Encodes <paramref name="input"/> cut at <paramref name="cuts"/> into <paramref name="output"/>; returns the encoder.</summary>
    private static Pop3MessageEncoder Encode(byte[] input, IBufferWriter<byte> output, params int[] cuts)
    {
        var encoder = new Pop3MessageEncoder();
        var start = 0;
        foreach (var cut in cuts.Append(input.Length))
        {
            encoder.Encode(input.AsSpan(start, cut - start), output);
            start = cut;
        }

        encoder.Complete(output);
        return encoder;
    }

    private static void AssertLikeReference(byte[] input, byte[] wire, Pop3MessageEncoder encoder, string context)
    {
        var expected = Reference.Encode(input);
        if (!expected.AsSpan().SequenceEqual(wire))
        {
            Assert.Fail($"{context}\nexpected {Reference.Show(expected)}\nactual   {Reference.Show(wire)}");
        }

        var normalised = Reference.NormaliseCrlf(input);
        Assert.True(normalised.Length == encoder.Length, context + ": Length");
        Assert.True(wire.Length - 3 == encoder.WireLength, context + ": WireLength");
        Assert.True(normalised.Length == Pop3MessageWriter.Measure(input), context + ": Measure");
        var lines = Reference.Lines(normalised);
        var blank = lines.FindIndex(l => l.Length == 2);
        Assert.True((blank < 0 ? 0 : lines.Count - blank - 1) == encoder.BodyLines, context + ": BodyLines");
    }

    private static void Check(byte[] input, string context, params int[] cuts)
    {
        var output = new ArrayBufferWriter<byte>();
        var encoder = Encode(input, output, cuts);
        AssertLikeReference(input, output.WrittenSpan.ToArray(), encoder, context);
    }

    /// <summary>Headers, then <paramref name="length"/> octets of 'a' with a bare LF every <paramref name="every"/> octets.</summary>
    private static byte[] Body(int length, int every = 75)
    {
        var bytes = new byte[Headers.Length + length];
        System.Text.Encoding.ASCII.GetBytes(Headers).CopyTo(bytes, 0);
        for (var i = 0; i < length; i++)
        {
            bytes[Headers.Length + i] = (byte)(i % every == every - 1 ? '\n' : 'a');
        }

        return bytes;
    }

    private static readonly byte[] Specials = [(byte)'\n', (byte)'\r', (byte)'.'];

    [Fact]
    public void Any_two_of_LF_CR_and_dot_anywhere_in_a_64_octet_window_across_block_edges_match_the_reference()
    {
        // The window starts 40 octets before a block edge of the body (blocks count from the first body octet),
        // so every pair straddles, touches or sits on either side of it; the body is long enough for the fast copies.
        const int windowStart = 64 - 40;
        foreach (var x in Specials)
        {
            foreach (var y in Specials)
            {
                for (var i = 0; i < 64; i++)
                {
                    for (var j = i + 1; j < 64; j++)
                    {
                        var input = Body(320, every: 1000);
                        input[Headers.Length + windowStart + i] = x;
                        input[Headers.Length + windowStart + j] = y;
                        Check(input, $"{Reference.Show([x])} at {i}, {Reference.Show([y])} at {j}");
                    }
                }
            }
        }
    }

    [Fact]
    public void One_of_LF_CR_and_dot_at_every_position_of_bodies_of_every_length_matches_the_reference()
    {
        // Lengths around 64, 96 (the over-read bound) and 128, so the last blocks take every path.
        foreach (var length in new[] { 1, 2, 31, 32, 33, 63, 64, 65, 95, 96, 97, 127, 128, 129, 160, 191, 192, 193, 250 })
        {
            foreach (var x in Specials)
            {
                for (var i = 0; i < length; i++)
                {
                    var input = Body(length, every: 1000);
                    input[Headers.Length + i] = x;
                    Check(input, $"length {length}, {Reference.Show([x])} at {i}");
                    input[^1] = (byte)'\n';
                    Check(input, $"length {length}, {Reference.Show([x])} at {i}, LF last");
                }
            }
        }
    }

    [Fact]
    public void Runs_of_dots_CRs_and_LFs_across_block_edges_match_the_reference()
    {
        byte[][] runs = ["\n.\n.\n"u8.ToArray(), "\r\r\n\r\n."u8.ToArray(), "\n..\r\r\n.\r"u8.ToArray(), "\n\n\n\n"u8.ToArray(), "\r\n.\r\n."u8.ToArray()];
        foreach (var run in runs)
        {
            for (var at = 0; at < 200 - run.Length; at++)
            {
                var input = Body(200, every: 1000);
                run.CopyTo(input, Headers.Length + at);
                Check(input, $"{Reference.Show(run)} at {at}");
            }
        }
    }

    [Fact]
    public void A_CR_ending_one_chunk_and_an_LF_starting_the_next_make_one_CRLF_at_every_offset()
    {
        for (var cut = Headers.Length + 1; cut < Headers.Length + 300; cut++)
        {
            var input = Body(300);
            input[cut - 1] = (byte)'\r';
            input[cut] = (byte)'\n';
            Check(input, $"CR|LF at {cut}", cut);

            input[cut] = (byte)'x';
            Check(input, $"CR|x at {cut}", cut);

            input[cut] = (byte)'.';
            Check(input, $"CR|. at {cut}", cut);
        }
    }

    [Fact]
    public void A_dot_starting_a_line_right_after_a_chunk_edge_is_stuffed_at_every_offset()
    {
        for (var cut = Headers.Length + 1; cut < Headers.Length + 300; cut++)
        {
            var input = Body(300);
            input[cut - 1] = (byte)'\n';
            input[cut] = (byte)'.';
            Check(input, $"LF|. at {cut}", cut);

            input[cut - 1] = (byte)'x';
            Check(input, $"x|. at {cut} (mid-line, not stuffed)", cut);

            input[cut - 2] = (byte)'\r';
            input[cut - 1] = (byte)'\n';
            Check(input, $"CRLF|. at {cut}", cut);
        }
    }

    [Fact]
    public void The_empty_line_ending_the_headers_is_found_at_every_offset_and_across_chunk_edges()
    {
        // Body lines are counted from it, so BodyLines shows where it was taken to be.
        byte[][] blanks = ["\n\n"u8.ToArray(), "\n\r\n"u8.ToArray(), "\r\n\r\n"u8.ToArray(), "\n\r\r\n\n"u8.ToArray()];
        foreach (var blank in blanks)
        {
            for (var at = 1; at < 140; at++)
            {
                var input = Body(300, every: 20);
                input.AsSpan(0, Headers.Length).Fill((byte)'H');
                blank.CopyTo(input, at);
                for (var cut = Math.Max(1, at - 2); cut <= at + blank.Length + 1; cut++)
                {
                    Check(input, $"{Reference.Show(blank)} at {at}, cut at {cut}", cut);
                }
            }
        }
    }

    [Fact]
    public void Chunks_of_every_size_match_the_reference()
    {
        var random = new Random(64);
        var input = RandomBody(random, 3000);
        for (var size = 1; size <= 200; size++)
        {
            int[] cuts = [.. Enumerable.Range(1, (input.Length - 1) / size).Select(k => k * size)];
            Check(input, $"chunks of {size}", cuts);
        }
    }

    [Fact]
    public void Output_spans_of_every_small_size_match_the_reference()
    {
        // Around 160 octets the span stops having room for a block's over-long copies and exact copies take over.
        var random = new Random(160);
        var input = RandomBody(random, 2000);
        for (var size = 1; size <= 400; size++)
        {
            var output = new SmallSpanWriter(() => size);
            var encoder = Encode(input, output, 700, 1500);
            AssertLikeReference(input, output.Written, encoder, $"spans of {size}");
        }

        for (var run = 0; run < 200; run++)
        {
            var output = new SmallSpanWriter(() => random.Next(1, 300));
            var encoder = Encode(input, output, random.Next(input.Length));
            AssertLikeReference(input, output.Written, encoder, $"random spans, run {run}");
        }
    }

    [Fact]
    public void Random_messages_of_many_lengths_chunkings_and_span_sizes_match_the_reference()
    {
        var random = new Random(2_0_2_6);
        for (var run = 0; run < 3_000; run++)
        {
            var length = run % 10 == 0 ? random.Next(0, 20_000) : random.Next(0, 700);
            var input = run % 3 == 0 ? RandomOctets(random, length) : RandomBody(random, length);
            int[] cuts = [.. Enumerable.Range(0, random.Next(0, 6)).Select(_ => random.Next(0, input.Length + 1)).Order()];
            var context = $"run {run}: {input.Length} octets cut at [{string.Join(',', cuts)}]";

            Check(input, context, cuts);

            var maxSpan = random.Next(1, 1000);
            var small = new SmallSpanWriter(() => random.Next(1, maxSpan + 1));
            var encoder = Encode(input, small, cuts);
            AssertLikeReference(input, small.Written, encoder, context + $", spans up to {maxSpan}");
        }
    }

    /// <summary>Mail-like text: headers with LF or CRLF, lines of 0–120 octets ending in LF, CRLF or (rarely) nothing, some starting with '.', some bare CRs.</summary>
    private static byte[] RandomBody(Random random, int length)
    {
        var bytes = new List<byte>(length + 200);
        bytes.AddRange(random.Next(2) == 0 ? "H: 1\n\n"u8 : "H: 1\r\n\r\n"u8);
        var crlfShare = random.Next(0, 41);
        while (bytes.Count < length)
        {
            var line = random.Next(0, 121);
            for (var i = 0; i < line; i++)
            {
                bytes.Add(i == 0 && random.Next(8) == 0 ? (byte)'.' : random.Next(150) == 0 ? (byte)'\r' : (byte)('a' + random.Next(26)));
            }

            if (random.Next(40) < crlfShare)
            {
                bytes.Add((byte)'\r');
            }

            bytes.Add((byte)'\n');
        }

        if (random.Next(4) == 0 && bytes.Count > 0)
        {
            bytes.RemoveAt(bytes.Count - 1);
        }

        return [.. bytes];
    }

    private static byte[] RandomOctets(Random random, int length)
    {
        byte[] alphabet = [(byte)'.', (byte)'\r', (byte)'\n', (byte)'a', 0, 0xFF];
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = random.Next(4) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)random.Next(256);
        }

        return bytes;
    }

    /// <summary>
    /// An <see cref="IBufferWriter{T}"/> whose spans are as long as <paramref name="length"/> says, whatever size was asked
    /// for: the encoder must never need more than one free octet. Each span is followed by guard octets, checked at
    /// <see cref="Advance"/>, so a store past the end of a span fails the test instead of going unseen.
    /// </summary>
    private sealed class SmallSpanWriter(Func<int> length) : IBufferWriter<byte>
    {
        private const int Guard = 64;
        private readonly List<byte> _written = [];
        private static readonly byte[] NoSpan = Enumerable.Repeat((byte)0xCC, Guard).ToArray();
        private byte[] _buffer = NoSpan;
        private int _spanLength;

        public byte[] Written => [.. _written];

        public void Advance(int count)
        {
            Assert.InRange(count, 0, _spanLength);
            Assert.True(_buffer.AsSpan(_spanLength).IndexOfAnyExcept((byte)0xCC) < 0, "The encoder wrote past the end of its span");
            _written.AddRange(_buffer.AsSpan(0, count));

            // The span is spent: Advance(0) without a new GetSpan is allowed, more is not.
            _spanLength = 0;
            _buffer = NoSpan;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException();

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            _spanLength = Math.Max(1, length());
            _buffer = new byte[_spanLength + Guard];
            _buffer.AsSpan().Fill(0xCC);
            return _buffer.AsSpan(0, _spanLength);
        }
    }
}
