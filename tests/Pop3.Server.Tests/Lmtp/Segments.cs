using System.Buffers;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>Builds a <see cref="ReadOnlySequence{T}"/> of several segments, as a pipe hands over data that arrived in pieces.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(params byte[][] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segments(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            var next = new Segments(part, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
