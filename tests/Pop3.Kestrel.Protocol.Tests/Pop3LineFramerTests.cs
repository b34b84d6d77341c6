using System.Buffers;
using System.Text;

namespace Pop3.Kestrel.Protocol.Tests;

public sealed class Pop3LineFramerTests
{
    private const int Max = Pop3LineFramer.DefaultMaxLineLength;

    private static byte[] Bytes(string latin1) => Encoding.Latin1.GetBytes(latin1);

    private static string Line(int contentLength, char fill = 'a') => new(fill, contentLength);

    public static TheoryData<string> Inputs() =>
    [
        "USER alice\r\n",
        "USER alice\r\nPASS secret\r\nSTAT\r\n",
        "\r\n",
        "\r\n\r\nNOOP\r\n",
        "LIST\nRETR 1\r\n",
        "a\rb\r\n",
        "\r\r\n",
        "QUIT\r\nUSER part",
        Line(252) + "\r\nNOOP\r\n",
        Line(253) + "\r\nNOOP\r\n",
        Line(254) + "\r\nNOOP\r\n",
        Line(300) + "\r\nNOOP\r\n",
        Line(253, '\r') + "\r\nNOOP\r\n",
        Line(600) + "\r\r\n" + Line(253) + "\r\n" + Line(254) + "\r\nQUIT\r\n",
        "\r\n" + Line(1000) + "\r" + Line(10) + "\r\nCAPA\r\n",
    ];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Line_split_at_every_index_yields_the_same_commands(string text)
    {
        var input = Bytes(text);
        var expected = Reference.Frame(input);
        for (var split = 0; split <= input.Length; split++)
        {
            var driver = new FramerDriver();
            driver.Feed(input.AsSpan(0, split));
            driver.Feed(input.AsSpan(split));
            Assert.Equal(expected, driver.Events);
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_fed_one_byte_per_read_yields_the_same_commands(string text)
    {
        var input = Bytes(text);
        var driver = new FramerDriver();
        foreach (var b in input)
        {
            driver.Feed([b]);
            Assert.True(driver.RetainedLength < Max);
        }

        Assert.Equal(Reference.Frame(input), driver.Events);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_in_one_byte_segments_of_one_buffer_yields_the_same_commands(string text)
    {
        var input = Bytes(text);
        var driver = new FramerDriver();
        driver.FeedSequence(TestSegment.OneBytePerSegment(input));
        Assert.Equal(Reference.Frame(input), driver.Events);
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Empty_segments_between_and_after_the_octets_change_nothing(string text)
    {
        var input = Bytes(text);
        var parts = new List<ReadOnlyMemory<byte>> { ReadOnlyMemory<byte>.Empty };
        foreach (var i in Enumerable.Range(0, input.Length))
        {
            parts.Add(input.AsMemory(i, 1));
            parts.Add(ReadOnlyMemory<byte>.Empty);
        }

        var driver = new FramerDriver();
        var rest = driver.FeedSequence(TestSegment.Create(parts));
        Assert.Equal(Reference.Frame(input), driver.Events);
        Assert.True(rest.Length < Max);
    }

    [Fact]
    public void Several_lines_in_one_buffer_are_all_returned_and_the_partial_rest_is_kept()
    {
        var driver = new FramerDriver();
        driver.Feed("USER a\r\nPASS b\r\nLIST\r\nRETR"u8);
        Assert.Equal(["Line:USER a", "Line:PASS b", "Line:LIST"], driver.Events);
        Assert.Equal(4, driver.RetainedLength);
        driver.Feed(" 1\r\n"u8);
        Assert.Equal(["Line:USER a", "Line:PASS b", "Line:LIST", "Line:RETR 1"], driver.Events);
        Assert.Equal(0, driver.RetainedLength);
    }

    [Theory]
    [InlineData(252, true)] // 254 octets with CRLF
    [InlineData(253, true)] // 255 octets with CRLF: the maximum
    [InlineData(254, false)] // 256 octets with CRLF
    public void A_line_of_at_most_255_octets_with_CRLF_is_accepted(int contentLength, bool accepted)
    {
        var content = Line(contentLength, 'x');
        var input = Bytes(content + "\r\nNOOP\r\n");
        string[] expected = [accepted ? "Line:" + content : "TooLong", "Line:NOOP"];

        var whole = new FramerDriver();
        whole.Feed(input);
        Assert.Equal(expected, whole.Events);

        var bytewise = new FramerDriver();
        foreach (var b in input)
        {
            bytewise.Feed([b]);
        }

        Assert.Equal(expected, bytewise.Events);
    }

    [Theory]
    [InlineData(64 * 1024, 4096)]
    [InlineData(64 * 1024, 1)]
    [InlineData(64 * 1024, 1000)]
    [InlineData(1024 * 1024, 4096)]
    [InlineData(1024 * 1024, 65536)]
    [InlineData(1024 * 1024, 333)]
    public void An_endless_line_is_discarded_as_it_arrives_then_reported_once_and_the_next_line_is_read(int length, int readSize)
    {
        var driver = new FramerDriver();
        var junk = new byte[length];
        new Random(length ^ readSize).NextBytes(junk);
        for (var i = 0; i < junk.Length; i++)
        {
            if (junk[i] == '\n')
            {
                junk[i] = (byte)'x'; // no CRLF anywhere in the long line
            }
        }

        for (var offset = 0; offset < junk.Length; offset += readSize)
        {
            driver.Feed(junk.AsSpan(offset, Math.Min(readSize, junk.Length - offset)));
            Assert.True(driver.RetainedLength <= Max, $"retained {driver.RetainedLength} octets after {offset} octets of one line");
            Assert.Empty(driver.Events);
        }

        Assert.True(driver.IsDiscarding);
        Assert.True(driver.RetainedLength <= 1);
        driver.Feed("\r"u8);
        Assert.Empty(driver.Events);
        driver.Feed("\nSTAT\r\n"u8);
        Assert.Equal(["TooLong", "Line:STAT"], driver.Events);
        Assert.False(driver.IsDiscarding);
        Assert.Equal(0, driver.RetainedLength);
    }

    [Fact]
    public void A_CR_at_the_end_of_one_read_and_LF_at_the_start_of_the_next_end_the_line()
    {
        var driver = new FramerDriver();
        driver.Feed("NOOP\r"u8);
        Assert.Empty(driver.Events);
        driver.Feed("\nQUIT\r"u8);
        Assert.Equal(["Line:NOOP"], driver.Events);
        driver.Feed("\n"u8);
        Assert.Equal(["Line:NOOP", "Line:QUIT"], driver.Events);
    }

    [Fact]
    public void A_CR_at_the_end_of_a_discarded_line_is_kept_until_its_LF_arrives()
    {
        var driver = new FramerDriver();
        driver.Feed(Bytes(Line(400) + "\r"));
        Assert.Equal(1, driver.RetainedLength);
        driver.Feed("\nNOOP\r\n"u8);
        Assert.Equal(["TooLong", "Line:NOOP"], driver.Events);
    }

    [Fact]
    public void A_discarded_CR_not_followed_by_LF_does_not_end_the_line()
    {
        var driver = new FramerDriver();
        driver.Feed(Bytes(Line(400) + "\r"));
        driver.Feed("x\r"u8);
        driver.Feed("\rx"u8);
        Assert.Empty(driver.Events);
        driver.Feed("\r\nNOOP\r\n"u8);
        Assert.Equal(["TooLong", "Line:NOOP"], driver.Events);
    }

    [Fact]
    public void A_bare_LF_stays_inside_the_line()
    {
        var driver = new FramerDriver();
        driver.Feed("USER a\nPASS b\n"u8);
        Assert.Empty(driver.Events);
        driver.Feed("\r\n"u8);
        Assert.Equal(["Line:USER a\nPASS b\n"], driver.Events);
    }

    [Fact]
    public void An_empty_line_is_a_line()
    {
        var driver = new FramerDriver();
        driver.Feed("\r\n"u8);
        Assert.Equal(["Line:"], driver.Events);
    }

    [Fact]
    public void A_framer_made_without_arguments_uses_the_RFC_2449_limit()
    {
        // Regression: new Pop3LineFramer() was the all-zero struct, MaxLineLength 0, so every command was TooLong.
        var framer = new Pop3LineFramer();
        Assert.Equal(Max, framer.MaxLineLength);
        var buffer = new ReadOnlySequence<byte>("NOOP\r\n"u8.ToArray());
        Assert.Equal(Pop3FrameStatus.Line, framer.TryReadLine(ref buffer, out var line));
        Assert.Equal("NOOP"u8.ToArray(), line.ToArray());
    }

    [Fact]
    public void An_empty_buffer_is_incomplete_and_consumes_nothing()
    {
        var framer = new Pop3LineFramer(Max);
        var buffer = ReadOnlySequence<byte>.Empty;
        Assert.Equal(Pop3FrameStatus.Incomplete, framer.TryReadLine(ref buffer, out _));
        Assert.False(framer.IsDiscarding);
    }

    [Fact]
    public void The_returned_line_excludes_the_CRLF_and_the_buffer_starts_after_it()
    {
        var framer = new Pop3LineFramer(Max);
        var buffer = new ReadOnlySequence<byte>("TOP 1 10\r\nQU"u8.ToArray());
        Assert.Equal(Pop3FrameStatus.Line, framer.TryReadLine(ref buffer, out var line));
        Assert.Equal("TOP 1 10"u8.ToArray(), line.ToArray());
        Assert.Equal("QU"u8.ToArray(), buffer.ToArray());
    }

    [Fact]
    public void Random_command_streams_split_anywhere_yield_the_same_commands()
    {
        var random = new Random(1939);
        byte[] alphabet = [(byte)'\r', (byte)'\n', (byte)'a', (byte)' ', 0];
        for (var run = 0; run < 300; run++)
        {
            var input = new byte[random.Next(0, 1200)];
            for (var i = 0; i < input.Length; i++)
            {
                // Mostly letters so some lines grow past the limit.
                input[i] = random.Next(40) == 0 ? alphabet[random.Next(alphabet.Length)] : (byte)'a';
            }

            var expected = Reference.Frame(input);
            var driver = new FramerDriver();
            var offset = 0;
            while (offset < input.Length)
            {
                var size = Math.Min(input.Length - offset, random.Next(1, 300));
                driver.Feed(input.AsSpan(offset, size));
                Assert.True(driver.RetainedLength <= Max);
                offset += size;
            }

            Assert.Equal(expected, driver.Events);
        }
    }
}
