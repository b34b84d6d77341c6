using System.Buffers.Binary;
using System.Buffers.Text;

namespace Pop3.Kestrel.Protocol;

/// <summary>Splits a command line into its keyword and arguments without allocating.</summary>
internal static class Pop3CommandParser
{
    // Keywords are compared as little-endian integers after folding ASCII letters to upper case.
    private const uint UpperMask = 0xDFDFDFDF;

    /// <summary>
    /// Parses <paramref name="line"/> (without CRLF). The keyword is everything up to the first space;
    /// the arguments start at <paramref name="argumentsStart"/>, after that single space, unchanged.
    /// </summary>
    public static Pop3Command Parse(ReadOnlySpan<byte> line, out int argumentsStart)
    {
        var space = line.IndexOf((byte)' ');
        var keyword = space < 0 ? line : line[..space];
        argumentsStart = space < 0 ? line.Length : space + 1;
        return keyword.Length switch
        {
            3 => ParseThree(keyword),
            4 => ParseFour(keyword),
            _ => Pop3Command.Unknown,
        };
    }

    private static Pop3Command ParseThree(ReadOnlySpan<byte> keyword) =>
        (keyword[0] & 0xDF) == 'T' && (keyword[1] & 0xDF) == 'O' && (keyword[2] & 0xDF) == 'P'
            ? Pop3Command.Top
            : Pop3Command.Unknown;

    private static Pop3Command ParseFour(ReadOnlySpan<byte> keyword)
    {
        // A digit would be mangled by the letter fold, so UTF8's '8' is checked on its own.
        if (keyword[3] == (byte)'8')
        {
            return (BinaryPrimitives.ReadUInt32LittleEndian(keyword) & 0x00DFDFDF) == Key('U', 'T', 'F', '\0')
                ? Pop3Command.Utf8
                : Pop3Command.Unknown;
        }

        return (BinaryPrimitives.ReadUInt32LittleEndian(keyword) & UpperMask) switch
        {
            User => Pop3Command.User,
            Pass => Pop3Command.Pass,
            Apop => Pop3Command.Apop,
            Auth => Pop3Command.Auth,
            Stls => Pop3Command.Stls,
            Capa => Pop3Command.Capa,
            Quit => Pop3Command.Quit,
            Stat => Pop3Command.Stat,
            List => Pop3Command.List,
            Retr => Pop3Command.Retr,
            Dele => Pop3Command.Dele,
            Noop => Pop3Command.Noop,
            Rset => Pop3Command.Rset,
            Uidl => Pop3Command.Uidl,
            _ => Pop3Command.Unknown,
        };
    }

    private const uint User = 'U' | 'S' << 8 | 'E' << 16 | (uint)'R' << 24;
    private const uint Pass = 'P' | 'A' << 8 | 'S' << 16 | (uint)'S' << 24;
    private const uint Apop = 'A' | 'P' << 8 | 'O' << 16 | (uint)'P' << 24;
    private const uint Auth = 'A' | 'U' << 8 | 'T' << 16 | (uint)'H' << 24;
    private const uint Stls = 'S' | 'T' << 8 | 'L' << 16 | (uint)'S' << 24;
    private const uint Capa = 'C' | 'A' << 8 | 'P' << 16 | (uint)'A' << 24;
    private const uint Quit = 'Q' | 'U' << 8 | 'I' << 16 | (uint)'T' << 24;
    private const uint Stat = 'S' | 'T' << 8 | 'A' << 16 | (uint)'T' << 24;
    private const uint List = 'L' | 'I' << 8 | 'S' << 16 | (uint)'T' << 24;
    private const uint Retr = 'R' | 'E' << 8 | 'T' << 16 | (uint)'R' << 24;
    private const uint Dele = 'D' | 'E' << 8 | 'L' << 16 | (uint)'E' << 24;
    private const uint Noop = 'N' | 'O' << 8 | 'O' << 16 | (uint)'P' << 24;
    private const uint Rset = 'R' | 'S' << 8 | 'E' << 16 | (uint)'T' << 24;
    private const uint Uidl = 'U' | 'I' << 8 | 'D' << 16 | (uint)'L' << 24;

    private static uint Key(char a, char b, char c, char d) => a | (uint)b << 8 | (uint)c << 16 | (uint)d << 24;

    /// <summary>
    /// Reads a message number or line count: 1 to 10 ASCII digits, no sign, no spaces, fitting in an <see cref="int"/>.
    /// </summary>
    public static bool TryParseNumber(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10 || (uint)(text[0] - '0') > 9)
        {
            return false;
        }

        return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length && value >= 0;
    }

    /// <summary>Splits arguments at single spaces: the next token and the rest.</summary>
    public static ReadOnlySpan<byte> NextArgument(ref ReadOnlySpan<byte> arguments)
    {
        var space = arguments.IndexOf((byte)' ');
        ReadOnlySpan<byte> token;
        if (space < 0)
        {
            token = arguments;
            arguments = default;
        }
        else
        {
            token = arguments[..space];
            arguments = arguments[(space + 1)..];
        }

        return token;
    }
}
