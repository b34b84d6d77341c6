using System.Buffers;
using System.Text;
using Pop3.Kestrel.Lmtp;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>
/// The LMTP command framer: every line comes out the same whatever the pieces the input arrives in (every split index,
/// one byte at a time, several segments), a line over 512 octets with its CRLF is refused once when it ends, and a
/// too-long line is never retained while it arrives.
/// </summary>
public sealed class LmtpLineFramerTests
{
    private const string TooLong = "<too long>";

    private static string Line(int length, char fill = 'a') => new(fill, length);

    public static TheoryData<string> Inputs() =>
    [
        "LHLO client\r\n",
        "LHLO client\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n",
        "\r\n",
        "NOOP\nRSET\r\n",
        "a\rb\r\n",
        "QUIT\r\nLHLO part",
        Line(509) + "\r\nNOOP\r\n",
        Line(510) + "\r\nNOOP\r\n",
        Line(511) + "\r\nNOOP\r\n",
        Line(511) + "\nNOOP\r\n",
        Line(512) + "\nNOOP\r\n",
        Line(2000) + "\r\nNOOP\r\n",
        Line(700) + "\r\n" + Line(700) + "\r\nQUIT\r\n",
    ];

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Split_at_every_index_gives_the_same_lines(string text)
    {
        var input = Encoding.Latin1.GetBytes(text);
        var expected = Frame([input]);
        for (var split = 0; split <= input.Length; split++)
        {
            Assert.Equal(expected, Frame([input[..split], input[split..]]));
        }
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void One_byte_at_a_time_gives_the_same_lines_and_retains_less_than_a_line(string text)
    {
        var input = Encoding.Latin1.GetBytes(text);
        Assert.Equal(Frame([input]), Frame(input.Select(b => new[] { b }).ToArray(), assertBounded: true));
    }

    [Fact]
    public void Lines_come_out_without_their_line_ending()
    {
        Assert.Equal(["LHLO x", "NOOP", "", "a\rb"], Frame([Encoding.Latin1.GetBytes("LHLO x\r\nNOOP\n\r\na\rb\r\n")]));
    }

    [Fact]
    public void A_line_of_512_octets_with_its_crlf_is_accepted_and_one_more_octet_is_too_long()
    {
        Assert.Equal([Line(510)], Frame([Encoding.Latin1.GetBytes(Line(510) + "\r\n")]));
        Assert.Equal([TooLong, "NOOP"], Frame([Encoding.Latin1.GetBytes(Line(511) + "\r\nNOOP\r\n")]));
    }

    [Fact]
    public void A_too_long_line_is_reported_once_when_it_ends_not_while_it_arrives()
    {
        Assert.Equal([TooLong, "QUIT"], Frame([Encoding.Latin1.GetBytes(Line(5000)), Encoding.Latin1.GetBytes(Line(5000) + "\r\nQUIT\r\n")]));
        Assert.Equal([], Frame([Encoding.Latin1.GetBytes(Line(5000))]));
    }

    /// <summary>Feeds the parts as a pipe would (unconsumed bytes stay at the front), each part its own segment.</summary>
    private static List<string> Frame(byte[][] parts, bool assertBounded = false)
    {
        var events = new List<string>();
        var retained = Array.Empty<byte>();
        var discarding = false;
        foreach (var part in parts)
        {
            var buffer = Segments.Of(retained, part);
            while (true)
            {
                var frame = LmtpLineFramer.TryRead(ref buffer, ref discarding, out var line);
                if (frame == LmtpFrame.Incomplete)
                {
                    break;
                }

                events.Add(frame == LmtpFrame.TooLong ? TooLong : Encoding.Latin1.GetString(line.ToArray()));
            }

            retained = buffer.ToArray();
            if (assertBounded)
            {
                Assert.True(retained.Length < LmtpLineFramer.MaxLineLength, $"{retained.Length} octets retained");
            }
        }

        return events;
    }
}
