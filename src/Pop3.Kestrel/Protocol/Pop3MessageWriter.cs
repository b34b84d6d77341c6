using System.Buffers;
using System.IO.Pipelines;

namespace Pop3.Kestrel.Protocol;

/// <summary>Streams a message from its store to the client as a dot-stuffed multi-line reply body.</summary>
internal static class Pop3MessageWriter
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Flushing at this many unflushed octets lets a slow client hold the server back instead of its memory.</summary>
    public const int FlushThreshold = 64 * 1024;

    /// <summary>
    /// Copies <paramref name="message"/> into <paramref name="output"/> through a <see cref="Pop3MessageEncoder"/>,
    /// then writes the terminating line. Returns false if the client went away.
    /// </summary>
    public static async ValueTask<bool> WriteAsync(Stream message, PipeWriter output, int bodyLines, CancellationToken cancellationToken)
    {
        var encoder = new Pop3MessageEncoder(bodyLines);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            // Counted here, not read from output.UnflushedBytes: a Pipe whose reader has completed drops
            // writes (UnflushedBytes stays 0), so that would never flush and never see the client go.
            long flushedAt = 0;
            int read;
            while ((read = await message.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                // A stream that counts more than it had room for is broken: a store fault the sender reports, not an index error.
                if (read > ChunkSize)
                {
                    throw new IOException($"The message store's stream reported {read} octets read into a buffer of {ChunkSize}.");
                }

                var more = encoder.Encode(buffer.AsSpan(0, read), output);
                if (encoder.WireLength - flushedAt >= FlushThreshold)
                {
                    flushedAt = encoder.WireLength;
                    var flush = await output.FlushAsync(cancellationToken);
                    if (flush.IsCompleted || flush.IsCanceled)
                    {
                        return false;
                    }
                }

                if (!more)
                {
                    break;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        encoder.Complete(output);
        return true;
    }

    /// <summary>The POP3 size of a message (RFC 1939 §11): its octets with CRLF line endings, before dot-stuffing.</summary>
    public static async ValueTask<long> MeasureAsync(Stream message, CancellationToken cancellationToken)
    {
        var encoder = new Pop3MessageEncoder();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int read;
            while ((read = await message.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0)
            {
                encoder.Encode(buffer.AsSpan(0, read), null);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return encoder.CompleteLength();
    }

    /// <summary>The POP3 size of a message held in memory.</summary>
    public static long Measure(ReadOnlySpan<byte> message)
    {
        var encoder = new Pop3MessageEncoder();
        encoder.Encode(message, null);
        return encoder.CompleteLength();
    }
}
