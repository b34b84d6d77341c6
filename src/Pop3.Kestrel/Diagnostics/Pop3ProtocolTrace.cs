using System.Text;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>
/// The protocol trace: every client line, and the first line of every reply, at <see cref="LogLevel.Trace"/> (Serilog: Verbose) under the
/// category <see cref="Category"/>, with secrets replaced by <c>****</c> before the line becomes a string:
/// PASS's argument, APOP's digest, AUTH's initial response and every SASL continuation line.
/// </summary>
internal static partial class Pop3ProtocolTrace
{
    /// <summary>The log category of the trace; set it to Verbose/Trace to see the client's lines.</summary>
    public const string Category = "Pop3.Kestrel.Protocol.Trace";

    private const string Redacted = "****";

    /// <summary>The client line as it may be logged: printable ASCII, secrets replaced.</summary>
    /// <param name="line">The line without CRLF.</param>
    /// <param name="continuation">True for a line answering a SASL challenge: all of it is a secret, except a lone <c>*</c> (cancel).</param>
    public static string Redact(ReadOnlySpan<byte> line, bool continuation)
    {
        if (continuation)
        {
            return line.SequenceEqual("*"u8) ? "*" : Redacted;
        }

        var command = Pop3CommandParser.Parse(line, out var argumentsStart);
        argumentsStart = Math.Min(argumentsStart, line.Length);
        var keep = command switch
        {
            Pop3Command.Pass => argumentsStart,
            Pop3Command.Apop or Pop3Command.Auth => WordEnd(line, argumentsStart),
            _ => line.Length,
        };

        var text = new StringBuilder(keep + 8);
        foreach (var b in line[..keep])
        {
            if (b is >= 0x20 and < 0x7F)
            {
                text.Append((char)b);
            }
            else
            {
                text.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (keep < line.Length)
        {
            if (text.Length > 0 && text[^1] != ' ')
            {
                text.Append(' ');
            }

            text.Append(Redacted);
        }

        return text.ToString();
    }

    private static int WordEnd(ReadOnlySpan<byte> line, int start)
    {
        var space = line[start..].IndexOf((byte)' ');
        return space < 0 ? line.Length : start + space;
    }

    [LoggerMessage(100, LogLevel.Trace, "C: {Line}")]
    internal static partial void ClientLine(this ILogger logger, string line);

    [LoggerMessage(101, LogLevel.Trace, "S: {Line}")]
    internal static partial void ServerLine(this ILogger logger, string line);
}
