using System.Text;

namespace Pop3.Kestrel.Protocol.Tests;

public sealed class Pop3CommandParserTests
{
    private static readonly (string Keyword, Pop3Command Command)[] Keywords =
    [
        ("USER", Pop3Command.User), ("PASS", Pop3Command.Pass), ("APOP", Pop3Command.Apop),
        ("AUTH", Pop3Command.Auth), ("STLS", Pop3Command.Stls), ("UTF8", Pop3Command.Utf8),
        ("CAPA", Pop3Command.Capa), ("QUIT", Pop3Command.Quit), ("STAT", Pop3Command.Stat),
        ("LIST", Pop3Command.List), ("RETR", Pop3Command.Retr), ("DELE", Pop3Command.Dele),
        ("NOOP", Pop3Command.Noop), ("RSET", Pop3Command.Rset), ("TOP", Pop3Command.Top),
        ("UIDL", Pop3Command.Uidl),
    ];

    /// <summary>Independent reference: fold ASCII a-z only, then look the keyword up.</summary>
    private static Pop3Command ReferenceParse(ReadOnlySpan<byte> keyword)
    {
        Span<char> folded = stackalloc char[keyword.Length];
        for (var i = 0; i < keyword.Length; i++)
        {
            var b = keyword[i];
            folded[i] = (char)(b is >= (byte)'a' and <= (byte)'z' ? b - 32 : b);
        }

        foreach (var (name, command) in Keywords)
        {
            if (folded.SequenceEqual(name))
            {
                return command;
            }
        }

        return Pop3Command.Unknown;
    }

    private static IEnumerable<string> CaseMixes(string keyword)
    {
        for (var mask = 0; mask < 1 << keyword.Length; mask++)
        {
            yield return new string([.. keyword.Select((c, i) => (mask & (1 << i)) != 0 ? char.ToLowerInvariant(c) : c)]);
        }
    }

    [Fact]
    public void Every_keyword_in_every_case_mix_is_recognised()
    {
        Assert.Equal(Enum.GetValues<Pop3Command>().Length - 1, Keywords.Length);
        foreach (var (keyword, command) in Keywords)
        {
            foreach (var mix in CaseMixes(keyword))
            {
                Assert.Equal(command, Pop3CommandParser.Parse(Encoding.ASCII.GetBytes(mix), out var start));
                Assert.Equal(mix.Length, start);
            }
        }
    }

    [Fact]
    public void Changing_any_one_octet_of_a_keyword_matches_only_its_ASCII_case_fold()
    {
        foreach (var (keyword, _) in Keywords)
        {
            var bytes = Encoding.ASCII.GetBytes(keyword);
            for (var position = 0; position < bytes.Length; position++)
            {
                for (var value = 0; value < 256; value++)
                {
                    var changed = (byte[])bytes.Clone();
                    changed[position] = (byte)value;
                    var expected = value == ' ' ? Pop3Command.Unknown : ReferenceParse(changed);
                    var actual = Pop3CommandParser.Parse(changed, out _);
                    Assert.True(expected == actual, $"{Reference.Show(changed)}: expected {expected}, got {actual}");
                }
            }
        }
    }

    [Theory]
    [InlineData("UTF\x18")]
    [InlineData("utf\x18")]
    [InlineData("UTF9")]
    [InlineData("UTF")]
    [InlineData("UTF88")]
    [InlineData("\x15TF8")]
    [InlineData("U\x14F8")]
    [InlineData("UT\x068")]
    [InlineData("UTFx")]
    [InlineData("")]
    [InlineData("X")]
    [InlineData("TO")]
    [InlineData("TOPS")]
    [InlineData("T\x0fP")]
    [InlineData("\x14OP")]
    [InlineData("XTND")]
    [InlineData("USERS")]
    [InlineData("LAST")]
    [InlineData("RPOP")]
    [InlineData("HELO")]
    [InlineData(" USER")]
    [InlineData("USER\tbob")]
    [InlineData("USER\r")]
    [InlineData("USER\n")]
    [InlineData("US\0R")]
    [InlineData("\xd5SER")]
    [InlineData("\xf5SER")]
    public void Unknown_keywords_are_Unknown(string latin1)
    {
        Assert.Equal(Pop3Command.Unknown, Pop3CommandParser.Parse(Encoding.Latin1.GetBytes(latin1), out _));
    }

    [Theory]
    [InlineData("UTF8", Pop3Command.Utf8)]
    [InlineData("utf8", Pop3Command.Utf8)]
    [InlineData("uTf8", Pop3Command.Utf8)]
    [InlineData("UTF\x18", Pop3Command.Unknown)]
    public void Utf8_is_told_apart_from_UTF_control_24(string latin1, Pop3Command expected)
    {
        Assert.Equal(expected, Pop3CommandParser.Parse(Encoding.Latin1.GetBytes(latin1), out _));
    }

    [Theory]
    [InlineData("QUIT", Pop3Command.Quit, "")]
    [InlineData("QUIT ", Pop3Command.Quit, "")]
    [InlineData("USER alice", Pop3Command.User, "alice")]
    [InlineData("user  alice", Pop3Command.User, " alice")]
    [InlineData("PASS a secret with spaces ", Pop3Command.Pass, "a secret with spaces ")]
    [InlineData("top 1 10", Pop3Command.Top, "1 10")]
    [InlineData("TOP 1", Pop3Command.Top, "1")]
    [InlineData("Retr 7", Pop3Command.Retr, "7")]
    [InlineData("APOP mrose c4c9334bac560ecc979e58001b3e22fb", Pop3Command.Apop, "mrose c4c9334bac560ecc979e58001b3e22fb")]
    [InlineData("AUTH PLAIN", Pop3Command.Auth, "PLAIN")]
    [InlineData("FOO bar", Pop3Command.Unknown, "bar")]
    public void Arguments_start_after_the_single_space_following_the_keyword(string text, Pop3Command command, string arguments)
    {
        var line = Encoding.Latin1.GetBytes(text);
        Assert.Equal(command, Pop3CommandParser.Parse(line, out var start));
        Assert.Equal(arguments, Encoding.Latin1.GetString(line.AsSpan(start)));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("1", 1)]
    [InlineData("007", 7)]
    [InlineData("0000000001", 1)]
    [InlineData("42", 42)]
    [InlineData("2147483647", int.MaxValue)]
    public void Numbers_of_1_to_10_digits_that_fit_an_int_are_read(string text, int expected)
    {
        Assert.True(Pop3CommandParser.TryParseNumber(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData("-0")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("1\t")]
    [InlineData("1a")]
    [InlineData("a1")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("1,000")]
    [InlineData("\u0661")] // Arabic-Indic digit one, as UTF-8
    [InlineData("2147483648")]
    [InlineData("4294967296")]
    [InlineData("9999999999")]
    [InlineData("99999999999")]
    [InlineData("00000000001")] // 11 octets: over the 10-digit limit even though the value is small
    public void Numbers_with_signs_spaces_other_characters_or_overflow_are_rejected(string text)
    {
        Assert.False(Pop3CommandParser.TryParseNumber(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Every_number_from_0_to_100000_round_trips()
    {
        Span<byte> buffer = stackalloc byte[16];
        for (var n = 0; n <= 100_000; n++)
        {
            Assert.True(n.TryFormat(buffer, out var written, provider: System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(Pop3CommandParser.TryParseNumber(buffer[..written], out var value));
            Assert.Equal(n, value);
        }
    }

    [Theory]
    [InlineData("1 10", new[] { "1", "10" })]
    [InlineData("1", new[] { "1" })]
    [InlineData("a  b", new[] { "a", "", "b" })]
    [InlineData("a b ", new[] { "a", "b" })]
    [InlineData(" a", new[] { "", "a" })]
    [InlineData("mrose c4c9334b", new[] { "mrose", "c4c9334b" })]
    public void NextArgument_splits_at_single_spaces(string text, string[] expected)
    {
        ReadOnlySpan<byte> arguments = Encoding.ASCII.GetBytes(text);
        var tokens = new List<string>();
        while (!arguments.IsEmpty)
        {
            tokens.Add(Encoding.ASCII.GetString(Pop3CommandParser.NextArgument(ref arguments)));
        }

        Assert.Equal(expected, tokens);
    }

    [Fact]
    public void NextArgument_of_nothing_is_empty_and_leaves_nothing()
    {
        ReadOnlySpan<byte> arguments = default;
        Assert.True(Pop3CommandParser.NextArgument(ref arguments).IsEmpty);
        Assert.True(arguments.IsEmpty);
    }

    [Fact]
    public void Top_arguments_parse_into_message_number_and_line_count()
    {
        var line = "TOP 3 0"u8;
        Assert.Equal(Pop3Command.Top, Pop3CommandParser.Parse(line, out var start));
        var arguments = line[start..];
        Assert.True(Pop3CommandParser.TryParseNumber(Pop3CommandParser.NextArgument(ref arguments), out var message));
        Assert.True(Pop3CommandParser.TryParseNumber(Pop3CommandParser.NextArgument(ref arguments), out var lines));
        Assert.True(arguments.IsEmpty);
        Assert.Equal((3, 0), (message, lines));
    }
}
