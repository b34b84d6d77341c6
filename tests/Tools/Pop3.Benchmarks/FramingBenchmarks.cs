using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Pop3.Kestrel.Protocol;

namespace Pop3.Benchmarks;

/// <summary>Line framing and keyword parsing: a buffer of 16 pipelined command lines, cut and parsed.</summary>
[MemoryDiagnoser]
public class FramingBenchmarks
{
    private const int Lines = 16;
    private ReadOnlySequence<byte> _single;
    private ReadOnlySequence<byte> _multi;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        string[] commands = ["STAT", "LIST 1", "UIDL 1", "RETR 12", "DELE 3", "NOOP", "TOP 4 10", "RSET"];
        for (var i = 0; i < Lines; i++)
        {
            text.Append(commands[i % commands.Length]).Append("\r\n");
        }

        var bytes = Encoding.ASCII.GetBytes(text.ToString());
        _single = new ReadOnlySequence<byte>(bytes);
        _multi = Segments.Split(bytes, 7);
    }

    /// <summary>Frames and parses 16 lines held in one segment; per line.</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public int FrameAndParse_one_segment() => FrameAndParse(_single);

    /// <summary>The same lines spread over 7-octet segments (the reader's slow path); per line.</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public int FrameAndParse_7_octet_segments() => FrameAndParse(_multi);

    /// <summary>Keyword parsing alone, per keyword.</summary>
    [Benchmark(OperationsPerInvoke = 4)]
    public int Parse_keywords() =>
        (int)Pop3CommandParser.Parse("RETR 12"u8, out var a) + (int)Pop3CommandParser.Parse("STAT"u8, out var b)
        + (int)Pop3CommandParser.Parse("TOP 1 5"u8, out var c) + (int)Pop3CommandParser.Parse("uidl 7"u8, out var d) + a + b + c + d;

    private static int FrameAndParse(ReadOnlySequence<byte> buffer)
    {
        var framer = new Pop3LineFramer();
        Span<byte> scratch = stackalloc byte[Pop3LineFramer.DefaultMaxLineLength];
        var sum = 0;
        while (framer.TryReadLine(ref buffer, out var line) == Pop3FrameStatus.Line)
        {
            var span = line.IsSingleSegment ? line.FirstSpan : Copy(line, scratch);
            sum += (int)Pop3CommandParser.Parse(span, out var start) + start;
        }

        return sum;
    }

    private static ReadOnlySpan<byte> Copy(in ReadOnlySequence<byte> line, Span<byte> scratch)
    {
        line.CopyTo(scratch);
        return scratch[..(int)line.Length];
    }
}

/// <summary>Builds multi-segment sequences.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < bytes.Length; i += size)
        {
            var next = new Segment(bytes.AsMemory(i, Math.Min(size, bytes.Length - i)), last);
            first ??= next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }
}
