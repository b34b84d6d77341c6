using System.Buffers;
using System.Text;

namespace Pop3.Kestrel.Protocol.Tests;

public sealed class Pop3MessageEncoderTests
{
    private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    /// <summary>Encodes <paramref name="input"/> cut into chunks at <paramref name="cuts"/>, stopping once the encoder wants no more, like the writer.</summary>
    internal static (byte[] Wire, long Length, long WireLength) Encode(byte[] input, int bodyLines, params int[] cuts)
    {
        var encoder = new Pop3MessageEncoder(bodyLines);
        var output = new ArrayBufferWriter<byte>();
        var start = 0;
        foreach (var cut in cuts.Append(input.Length))
        {
            if (!encoder.Encode(input.AsSpan(start, cut - start), output))
            {
                break;
            }

            start = cut;
        }

        encoder.Complete(output);
        return (output.WrittenSpan.ToArray(), encoder.Length, encoder.WireLength);
    }

    private static void AssertBytes(string expected, byte[] actual) =>
        Assert.Equal(Reference.Show(Bytes(expected)), Reference.Show(actual));

    [Theory]
    [InlineData("", ".\r\n")]
    [InlineData("a\r\n", "a\r\n.\r\n")]
    [InlineData("a\n", "a\r\n.\r\n")]
    [InlineData("a", "a\r\n.\r\n")]
    [InlineData(".\r\n", "..\r\n.\r\n")]
    [InlineData(".", "..\r\n.\r\n")]
    [InlineData("..\r\n", "...\r\n.\r\n")]
    [InlineData("...\n....\n", "....\r\n.....\r\n.\r\n")]
    [InlineData(".hidden\r\n", "..hidden\r\n.\r\n")]
    [InlineData("a.b\r\n.c\r\n", "a.b\r\n..c\r\n.\r\n")]
    [InlineData(" .\r\n", " .\r\n.\r\n")]
    [InlineData("\r\n.\r\n", "\r\n..\r\n.\r\n")]
    [InlineData("a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n")]
    [InlineData("\n\n", "\r\n\r\n.\r\n")]
    [InlineData("\r\n", "\r\n.\r\n")]
    [InlineData("a\nb\r\nc\n", "a\r\nb\r\nc\r\n.\r\n")]
    [InlineData("a\rb\r\n", "a\rb\r\n.\r\n")]
    [InlineData("\r", "\r\r\n.\r\n")]
    [InlineData("abc\r", "abc\r\r\n.\r\n")]
    [InlineData("\r\r\n", "\r\r\n.\r\n")]
    [InlineData("\r\r\r\n\r", "\r\r\r\n\r\r\n.\r\n")]
    [InlineData("\n.\n", "\r\n..\r\n.\r\n")]
    [InlineData(".\r.\n", "..\r.\r\n.\r\n")]
    [InlineData("\r.\r\n", "\r.\r\n.\r\n")]
    [InlineData("x\r\n\r.\n", "x\r\n\r.\r\n.\r\n")]
    [InlineData("\0\x1a\x1b\xff\x80\n", "\0\x1a\x1b\xff\x80\r\n.\r\n")]
    public void Message_is_CRLF_normalised_and_dot_stuffed(string input, string expected)
    {
        var bytes = Bytes(input);
        var (wire, length, wireLength) = Encode(bytes, -1);
        AssertBytes(expected, wire);
        Assert.Equal(wire.Length - 3, wireLength);
        Assert.Equal(Reference.Unstuff(wire).Length, length);
        Assert.Equal(length, Pop3MessageWriter.Measure(bytes));
        Assert.Equal(Reference.NormaliseCrlf(bytes), Reference.Unstuff(wire));
    }

    [Fact]
    public void A_parameterless_encoder_encodes_the_whole_message()
    {
        // Regression: new Pop3MessageEncoder() used to be the all-zero struct (TOP 0 with the headers already
        // over), so it produced nothing and Measure/MeasureAsync returned 0 for every message.
        var encoder = new Pop3MessageEncoder();
        var output = new ArrayBufferWriter<byte>();
        Assert.True(encoder.Encode("H: 1\r\n\r\nbody\n"u8, output));
        encoder.Complete(output);
        AssertBytes("H: 1\r\n\r\nbody\r\n.\r\n", output.WrittenSpan.ToArray());
        Assert.Equal(14, encoder.Length);
        Assert.Equal(3, Pop3MessageWriter.Measure("a\r\n"u8));
    }

    [Fact]
    public void An_empty_message_is_just_the_terminator_and_has_size_zero()
    {
        var (wire, length, _) = Encode([], -1);
        AssertBytes(".\r\n", wire);
        Assert.Equal(0, length);
        Assert.Equal(0, Pop3MessageWriter.Measure([]));
    }

    [Fact]
    public void A_missing_final_line_ending_gets_a_CRLF_that_counts_in_the_size()
    {
        var bytes = "Subject: x\r\n\r\nTesting, testing, 123."u8.ToArray();
        var (wire, length, _) = Encode(bytes, -1);
        AssertBytes("Subject: x\r\n\r\nTesting, testing, 123.\r\n.\r\n", wire);
        Assert.Equal(bytes.Length + 2, length);
        Assert.Equal(bytes.Length + 2, Pop3MessageWriter.Measure(bytes));
    }

    [Fact]
    public void A_CR_at_the_end_of_a_chunk_and_LF_at_the_start_of_the_next_make_one_CRLF()
    {
        var (wire, length, _) = Encode("a\r\n.b\r\nc\r\n"u8.ToArray(), -1, 2, 9);
        AssertBytes("a\r\n..b\r\nc\r\n.\r\n", wire);
        Assert.Equal(10, length);
    }

    [Fact]
    public void A_bare_CR_at_the_end_of_a_chunk_stays_data_when_the_next_chunk_does_not_start_with_LF()
    {
        var (wire, _, _) = Encode("a\rb\n"u8.ToArray(), -1, 2);
        AssertBytes("a\rb\r\n.\r\n", wire);
    }

    [Fact]
    public void A_blank_line_split_between_CR_and_LF_still_ends_the_headers()
    {
        var input = "H: 1\r\n\r\nbody1\r\nbody2\r\n"u8.ToArray();
        for (var cut = 0; cut <= input.Length; cut++)
        {
            var (wire, _, _) = Encode(input, 0, cut);
            AssertBytes("H: 1\r\n\r\n.\r\n", wire);
        }
    }

    public static TheoryData<string, int, string> TopCases() => new()
    {
        { "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n", 0, "H: 1\r\nH: 2\r\n\r\n" },
        { "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n", 1, "H: 1\r\nH: 2\r\n\r\nb1\r\n" },
        { "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n", 3, "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n" },
        { "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n", 4, "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n" },
        { "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n", int.MaxValue, "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\nb3\r\n" },
        { "H: 1\nH: 2\n\nb1\nb2", 1, "H: 1\r\nH: 2\r\n\r\nb1\r\n" },
        { "H: 1\nH: 2\n\nb1\nb2", 2, "H: 1\r\nH: 2\r\n\r\nb1\r\nb2\r\n" },
        { "H: 1\r\n\r\n.\r\n..\r\nz\r\n", 2, "H: 1\r\n\r\n..\r\n...\r\n" },
        { "H: 1\r\nH: 2\r\n", 0, "H: 1\r\nH: 2\r\n" }, // no blank line: all headers
        { "H: 1\r\nH: 2", 0, "H: 1\r\nH: 2\r\n" },
        { "H: 1\r\nH: 2\r\n\r\n", 0, "H: 1\r\nH: 2\r\n\r\n" }, // empty body after the blank line
        { "H: 1\r\nH: 2\r\n\r\n", 5, "H: 1\r\nH: 2\r\n\r\n" },
        { "\r\nbody\r\nmore\r\n", 0, "\r\n" }, // no headers
        { "\r\nbody\r\nmore\r\n", 1, "\r\nbody\r\n" },
        { "H: 1\r\n\r\r\nb1\r\n\r\nb2\r\n", 0, "H: 1\r\n\r\r\nb1\r\n\r\n" }, // a CR-only line is not the blank line
        { "H: 1\r\n\r\n\r\n\r\nb\r\n", 2, "H: 1\r\n\r\n\r\n\r\n" }, // blank body lines count
        { "H: 1\r\n\r\nb1\r\rstill b1\r\nb2\r\n", 1, "H: 1\r\n\r\nb1\r\rstill b1\r\n" },
        { "", 0, "" },
    };

    [Theory]
    [MemberData(nameof(TopCases))]
    public void Top_sends_headers_the_blank_line_and_n_body_lines(string input, int bodyLines, string expected)
    {
        var bytes = Bytes(input);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var (wire, _, _) = Encode(bytes, bodyLines, cut);
            AssertBytes(expected + ".\r\n", wire);
        }
    }

    [Fact]
    public void After_TOP_is_done_further_input_is_ignored()
    {
        var encoder = new Pop3MessageEncoder(0);
        var output = new ArrayBufferWriter<byte>();
        Assert.False(encoder.Encode("H: 1\r\n\r\nbody\r\n"u8, output));
        Assert.True(encoder.IsDone);
        Assert.False(encoder.Encode("more\r\n"u8, output));
        encoder.Complete(output);
        AssertBytes("H: 1\r\n\r\n.\r\n", output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Body_lines_are_counted_after_the_blank_line()
    {
        var encoder = new Pop3MessageEncoder();
        encoder.Encode("H: 1\r\nH: 2\r\n\r\nb1\nb2\r\n\nb4"u8, null);
        encoder.Complete(null);
        Assert.Equal(4, encoder.BodyLines);
    }

    public static TheoryData<string> SplitInputs() =>
    [
        "",
        ".",
        "..",
        "\r",
        "\n",
        "\r\n",
        ".\r\n.\n..\r\n...\n",
        "H: 1\nH: 2\r\n\r\n.body\n..\r\n.\n\rtail\r",
        "a\r\r\n\r\r\n.\r.\r\n\n\n.",
        "From me Thu Jan 1 00:00:00 1970\nSubject: x\n\n.\n",
        "\0\r\x80.\n\xff.\r\n",
    ];

    [Theory]
    [MemberData(nameof(SplitInputs))]
    public void Message_split_at_every_index_or_every_pair_of_indices_encodes_the_same(string text)
    {
        var bytes = Bytes(text);
        foreach (var bodyLines in new[] { -1, 0, 1, 2 })
        {
            var (whole, wholeLength, _) = Encode(bytes, bodyLines);
            for (var i = 0; i <= bytes.Length; i++)
            {
                for (var j = i; j <= bytes.Length; j++)
                {
                    var (wire, length, _) = Encode(bytes, bodyLines, i, j);
                    Assert.Equal(Reference.Show(whole), Reference.Show(wire));
                    Assert.Equal(wholeLength, length);
                }
            }

            var (bytewise, _, _) = Encode(bytes, bodyLines, [.. Enumerable.Range(1, Math.Max(0, bytes.Length - 1))]);
            Assert.Equal(Reference.Show(whole), Reference.Show(bytewise));
        }
    }

    [Fact]
    public void Measure_counts_CRLF_line_endings_and_not_stuffing_dots()
    {
        Assert.Equal(6, Pop3MessageWriter.Measure("a\n.\n"u8)); // a CRLF . CRLF
        Assert.Equal(3, Pop3MessageWriter.Measure("\r\r\n"u8));
        Assert.Equal(3, Pop3MessageWriter.Measure("\r"u8));
        Assert.Equal(4, Pop3MessageWriter.Measure(".."u8));
    }

    [Fact]
    public async Task MeasureAsync_equals_Measure()
    {
        var bytes = new byte[200_000];
        new Random(5).NextBytes(bytes);
        Assert.Equal(Pop3MessageWriter.Measure(bytes), await Pop3MessageWriter.MeasureAsync(new MemoryStream(bytes), CancellationToken.None));
        Assert.Equal(Reference.NormaliseCrlf(bytes).Length, Pop3MessageWriter.Measure(bytes));
    }
}
