using System.Buffers;
using System.Text;

namespace Pop3.Kestrel.Protocol.Tests;

/// <summary>One segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, TestSegment? previous)
    {
        Memory = memory;
        if (previous is not null)
        {
            RunningIndex = previous.RunningIndex + previous.Memory.Length;
            previous.Next = this;
        }
    }

    public static ReadOnlySequence<byte> Create(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSegment(parts[0], null);
        var last = first;
        for (var i = 1; i < parts.Count; i++)
        {
            last = new TestSegment(parts[i], last);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        Create([.. Enumerable.Range(0, bytes.Length).Select(i => (ReadOnlyMemory<byte>)bytes.AsMemory(i, 1))]);
}

/// <summary>
/// Drives a <see cref="Pop3LineFramer"/> the way a PipeReader loop does: the unconsumed bytes are kept
/// (segments and all) and the next read appends a new segment after them.
/// </summary>
internal sealed class FramerDriver(int maxLineLength = Pop3LineFramer.DefaultMaxLineLength)
{
    private Pop3LineFramer _framer = new(maxLineLength);
    private List<ReadOnlyMemory<byte>> _retained = [];

    public List<string> Events { get; } = [];

    public long RetainedLength => _retained.Sum(m => (long)m.Length);

    public bool IsDiscarding => _framer.IsDiscarding;

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        List<ReadOnlyMemory<byte>> parts = [.. _retained];
        if (!bytes.IsEmpty)
        {
            parts.Add(bytes.ToArray());
        }

        var buffer = TestSegment.Create(parts);
        Drain(ref buffer);
        _retained = [];
        foreach (var memory in buffer)
        {
            if (!memory.IsEmpty)
            {
                _retained.Add(memory.ToArray());
            }
        }
    }

    /// <summary>Runs the framer over a whole buffer handed over at once (no retained bytes).</summary>
    public ReadOnlySequence<byte> FeedSequence(ReadOnlySequence<byte> buffer)
    {
        Drain(ref buffer);
        return buffer;
    }

    private void Drain(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            var before = buffer.Length;
            var status = _framer.TryReadLine(ref buffer, out var line);
            switch (status)
            {
                case Pop3FrameStatus.Incomplete:
                    Assert.True(line.IsEmpty);
                    Assert.True(buffer.Length <= before);
                    return;
                case Pop3FrameStatus.TooLong:
                    Assert.True(line.IsEmpty);
                    Events.Add("TooLong");
                    break;
                case Pop3FrameStatus.Line:
                    Events.Add("Line:" + Encoding.Latin1.GetString(line.ToArray()));
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected status {status}");
            }

            Assert.True(buffer.Length < before, "A reported line must consume input");
        }
    }
}

/// <summary>Independent reference implementations of what the wire must carry.</summary>
internal static class Reference
{
    public static readonly byte[] Terminator = ".\r\n"u8.ToArray();

    /// <summary>Expected events of the line framer for a whole input (trailing partial line ignored).</summary>
    public static List<string> Frame(byte[] input, int maxLineLength = Pop3LineFramer.DefaultMaxLineLength)
    {
        var events = new List<string>();
        var start = 0;
        for (var i = 0; i + 1 < input.Length; i++)
        {
            if (input[i] == '\r' && input[i + 1] == '\n')
            {
                var length = i - start;
                events.Add(length + 2 > maxLineLength ? "TooLong" : "Line:" + Encoding.Latin1.GetString(input, start, length));
                start = i + 2;
                i++;
            }
        }

        return events;
    }

    /// <summary>Bare LF becomes CRLF, CR not followed by LF is kept, a final CRLF is added if the input does not end with LF.</summary>
    public static byte[] NormaliseCrlf(ReadOnlySpan<byte> input)
    {
        var output = new List<byte>(input.Length + 16);
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (b == (byte)'\n' && (i == 0 || input[i - 1] != (byte)'\r'))
            {
                output.Add((byte)'\r');
            }

            output.Add(b);
        }

        if (input.Length > 0 && input[^1] != (byte)'\n')
        {
            output.Add((byte)'\r');
            output.Add((byte)'\n');
        }

        return [.. output];
    }

    /// <summary>
    /// The whole dot-stuffing writer as one plain loop over the octets, for differential tests: a '.' after an LF
    /// (or first) gets another, a bare LF gets a CR, a last line without LF gets CRLF, then the terminator.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> input)
    {
        var output = new List<byte>(input.Length * 2 + 5);
        for (var i = 0; i < input.Length; i++)
        {
            var b = input[i];
            if (b == (byte)'.' && (i == 0 || input[i - 1] == (byte)'\n'))
            {
                output.Add((byte)'.');
            }

            if (b == (byte)'\n' && (i == 0 || input[i - 1] != (byte)'\r'))
            {
                output.Add((byte)'\r');
            }

            output.Add(b);
        }

        if (input.Length > 0 && input[^1] != (byte)'\n')
        {
            output.AddRange("\r\n"u8);
        }

        output.AddRange(Terminator);
        return [.. output];
    }

    /// <summary>Splits CRLF-normalised text into lines, each with its CRLF.</summary>
    public static List<byte[]> Lines(byte[] normalised)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 1; i < normalised.Length; i++)
        {
            if (normalised[i] == '\n' && normalised[i - 1] == '\r')
            {
                lines.Add(normalised[start..(i + 1)]);
                start = i + 1;
            }
        }

        Assert.Equal(normalised.Length, start);
        return lines;
    }

    /// <summary>TOP: every line up to and including the first empty line, then <paramref name="bodyLines"/> more.</summary>
    public static byte[] Top(byte[] normalised, int bodyLines)
    {
        var lines = Lines(normalised);
        var blank = lines.FindIndex(l => l.Length == 2);
        var take = blank < 0 ? lines.Count : (int)Math.Min(lines.Count, blank + 1L + bodyLines);
        return [.. lines.Take(take).SelectMany(l => l)];
    }

    /// <summary>Dot-stuffs CRLF-normalised text and appends the terminator.</summary>
    public static byte[] Stuff(byte[] normalised) =>
        [.. Lines(normalised).SelectMany(l => l[0] == '.' ? [(byte)'.', .. l] : l), .. Terminator];

    /// <summary>
    /// Checks the shape of a multi-line reply body and returns what the client keeps: the terminator
    /// removed and one leading '.' dropped from every line that starts with '.'.
    /// </summary>
    public static byte[] Unstuff(byte[] wire)
    {
        Assert.True(wire.Length >= 3, "A multi-line reply ends with the terminator");
        Assert.True(wire.AsSpan().EndsWith(Terminator), "The reply must end with . CRLF");
        Assert.True(wire.Length == 3 || wire.AsSpan().EndsWith("\r\n.\r\n"u8), "The terminator must be on a line of its own");
        var body = wire.AsSpan(0, wire.Length - 3);
        var lines = Lines(body.ToArray());
        var output = new List<byte>(body.Length);
        foreach (var line in lines)
        {
            Assert.True(line.AsSpan(0, line.Length - 2).IndexOf((byte)'\n') < 0, "Every LF on the wire ends a CRLF line");
            if (line[0] == '.')
            {
                Assert.True(line.Length >= 4 && line[1] == '.', "A line starting with '.' must be stuffed (never a lone '.' before the terminator)");
                output.AddRange(line.AsSpan(1));
            }
            else
            {
                output.AddRange(line);
            }
        }

        return [.. output];
    }

    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes)
        {
            sb.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                < 0x20 or >= 0x7F => $"\\x{b:X2}",
                _ => ((char)b).ToString(),
            });
        }

        return sb.ToString();
    }
}
