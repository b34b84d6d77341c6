using System.Text;
using Pop3.Kestrel.Lmtp;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>
/// DATA's dot-unstuffing (RFC 5321 §4.5.2), decoded in any pieces: the result and where the message ends do not depend
/// on where the input is split, and only CRLF . CRLF ends a message.
/// </summary>
public sealed class LmtpDataDecoderTests
{
    public static TheoryData<string, string, string> Cases() => new()
    {
        // input, message, what follows the end
        { ".\r\n", "", "" },
        { "Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n", "Subject: x\r\n\r\nbody\r\n", "QUIT\r\n" },
        { "..leading dot\r\n.\r\n", ".leading dot\r\n", "" },
        { "...\r\n.\r\n", "..\r\n", "" },
        { ".x\r\n.\r\n", "x\r\n", "" },
        { "a\r\n.. \r\n..\r\n.\r\n", "a\r\n. \r\n.\r\n", "" },
        { "bare\n.\nstill data\r\n.\r\n", "bare\n.\nstill data\r\n", "" },
        { "cr\r.\r\n.\r\n", "cr\r.\r\n", "" },
        { ".\rx\r\n.\r\n", "\rx\r\n", "" },
        { ".\r\r\n.\r\n", "\r\r\n", "" },
        { "a\r\n.\r\nb\r\n.\r\n", "a\r\n", "b\r\n.\r\n" },
        { "no final line break.\r\n.\r\n", "no final line break.\r\n", "" },
        { "8bit \u00e9\u00ff\0\r\n.\r\n", "8bit \u00e9\u00ff\0\r\n", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decoding_split_at_every_index_gives_the_same_message_and_end(string input, string message, string after)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var (decoded, consumed) = Decode(bytes[..split], bytes[split..]);
            Assert.Equal(message, decoded);
            Assert.Equal(after, input[consumed..]);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decoding_one_byte_at_a_time_gives_the_same_message(string input, string message, string after)
    {
        var bytes = Encoding.Latin1.GetBytes(input);
        var (decoded, consumed) = Decode(bytes.Select(b => new[] { b }).ToArray());
        Assert.Equal(message, decoded);
        Assert.Equal(after, input[consumed..]);
    }

    [Fact]
    public void Without_the_end_line_everything_is_consumed_and_the_message_goes_on()
    {
        var decoder = new LmtpDataDecoder();
        var output = new byte[64];
        Assert.False(decoder.Decode("line\r\n..x\r\n."u8, output, out var consumed, out var written));
        Assert.Equal(12, consumed);
        Assert.Equal("line\r\n.x\r\n", Encoding.Latin1.GetString(output, 0, written));
        Assert.True(decoder.Decode("\r\n"u8, output, out consumed, out written));
        Assert.Equal((2, 0), (consumed, written));
    }

    private static (string Message, int Consumed) Decode(params byte[][] parts)
    {
        var decoder = new LmtpDataDecoder();
        var message = new List<byte>();
        var consumed = 0;
        foreach (var part in parts)
        {
            var output = new byte[part.Length + 1];
            var ended = decoder.Decode(part, output, out var used, out var written);
            message.AddRange(output.AsSpan(0, written).ToArray());
            consumed += used;
            if (ended)
            {
                return (Encoding.Latin1.GetString(message.ToArray()), consumed);
            }

            Assert.Equal(part.Length, used);
        }

        throw new Xunit.Sdk.XunitException("The end-of-data line was not found.");
    }
}
