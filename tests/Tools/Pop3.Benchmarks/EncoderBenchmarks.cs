using System.Buffers;
using BenchmarkDotNet.Attributes;
using Pop3.Kestrel.Protocol;

namespace Pop3.Benchmarks;

/// <summary>
/// The dot-stuffing writer against a plain memory copy of the same input into the same kind of output.
/// Throughput is <see cref="Size"/> divided by the mean time (BenchmarkDotNet prints the time; the
/// summary column "MB/s" is added by <see cref="Program"/>).
/// </summary>
[MemoryDiagnoser]
public class EncoderBenchmarks
{
    private byte[] _message = [];
    private ArrayBufferWriter<byte> _output = new();

    /// <summary>4 KiB and 10 MiB messages.</summary>
    [Params(4 * 1024, 10 * 1024 * 1024)]
    public int Size { get; set; }

    /// <summary>Line endings of the stored message: LF (Maildir as delivered) or CRLF.</summary>
    [Params("LF", "CRLF")]
    public string Endings { get; set; } = "LF";

    [GlobalSetup]
    public void Setup()
    {
        _message = MessageText.Make(Size, Endings == "CRLF");
        _output = new ArrayBufferWriter<byte>(Size * 2 + 1024);
    }

    /// <summary>The baseline: copy the message into the output writer in 64 KiB chunks.</summary>
    [Benchmark(Baseline = true)]
    public int Copy()
    {
        _output.ResetWrittenCount();
        var input = _message.AsSpan();
        while (!input.IsEmpty)
        {
            var chunk = input[..Math.Min(64 * 1024, input.Length)];
            _output.Write(chunk);
            input = input[chunk.Length..];
        }

        return _output.WrittenCount;
    }

    /// <summary>Pop3MessageEncoder over the same 64 KiB chunks, as Pop3MessageWriter drives it.</summary>
    [Benchmark]
    public long Encode()
    {
        _output.ResetWrittenCount();
        var encoder = new Pop3MessageEncoder();
        var input = _message.AsSpan();
        while (!input.IsEmpty)
        {
            var chunk = input[..Math.Min(64 * 1024, input.Length)];
            encoder.Encode(chunk, _output);
            input = input[chunk.Length..];
        }

        encoder.Complete(_output);
        return encoder.WireLength;
    }

    /// <summary>The encoder before its bulk paths, over the same chunks: what the change gained.</summary>
    [Benchmark]
    public long Encode_before()
    {
        _output.ResetWrittenCount();
        var encoder = new EncoderBefore();
        var input = _message.AsSpan();
        while (!input.IsEmpty)
        {
            var chunk = input[..Math.Min(64 * 1024, input.Length)];
            encoder.Encode(chunk, _output);
            input = input[chunk.Length..];
        }

        encoder.Complete(_output);
        return encoder.WireLength;
    }

    /// <summary>Pop3MessageWriter.WriteAsync from a MemoryStream into a PipeWriter that discards at each flush (64 KiB).</summary>
    [Benchmark]
    public async Task<bool> WriteAsync() =>
        await Pop3MessageWriter.WriteAsync(new MemoryStream(_message, writable: false), _discard, -1, CancellationToken.None);

    private readonly DiscardingWriter _discard = new();
}

/// <summary>Deterministic message text: headers, then lines of 20–90 characters, some starting with '.'.</summary>
internal static class MessageText
{
    public static byte[] Make(int size, bool crlf)
    {
        var random = new Random(size);
        var output = new List<byte>(size + 128);
        var headers = "From: bench@example.org\nTo: user@example.org\nSubject: benchmark\nMessage-ID: <bench@example.org>\n\n"u8;
        foreach (var b in headers)
        {
            if (crlf && b == (byte)'\n')
            {
                output.Add((byte)'\r');
            }

            output.Add(b);
        }

        while (output.Count < size)
        {
            var length = random.Next(20, 90);
            for (var i = 0; i < length; i++)
            {
                output.Add(i == 0 && random.Next(50) == 0 ? (byte)'.' : (byte)('a' + random.Next(26)));
            }

            if (crlf)
            {
                output.Add((byte)'\r');
            }

            output.Add((byte)'\n');
        }

        return output.ToArray();
    }
}
