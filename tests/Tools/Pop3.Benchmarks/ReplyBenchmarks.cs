using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Pop3.Kestrel.Protocol;

namespace Pop3.Benchmarks;

/// <summary>Reply formatting through <see cref="Pop3Replies"/>' writers, into a fixed buffer.</summary>
[MemoryDiagnoser]
public class ReplyBenchmarks
{
    private readonly ResettableWriter _output = new();

    /// <summary>A fixed reply.</summary>
    [Benchmark]
    public int Fixed()
    {
        _output.Reset();
        _output.Write(Pop3Replies.Ok);
        return _output.Written;
    }

    /// <summary><c>+OK 1234 567890123</c> (STAT, LIST n).</summary>
    [Benchmark]
    public int Ok_pair()
    {
        _output.Reset();
        Pop3Replies.WriteOk(_output, 1234, 567890123);
        return _output.Written;
    }

    /// <summary><c>+OK 4096 octets</c> (RETR's status line).</summary>
    [Benchmark]
    public int Octets_line()
    {
        _output.Reset();
        Pop3Replies.WriteLine(_output, "+OK "u8, 4096, " octets\r\n"u8);
        return _output.Written;
    }

    /// <summary>A UIDL line.</summary>
    [Benchmark]
    public int Uid_line()
    {
        _output.Reset();
        Pop3Replies.WriteUid(_output, 12, "1700000000.M123P456.host,S=4096", ok: false);
        return _output.Written;
    }

    /// <summary>A PipeWriter over one array, rewound by the benchmark.</summary>
    private sealed class ResettableWriter : PipeWriter
    {
        private readonly byte[] _buffer = new byte[4096];

        public int Written { get; private set; }

        public void Reset() => Written = 0;

        public override void Advance(int bytes) => Written += bytes;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer.AsMemory(Written);

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer.AsSpan(Written);

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(default(FlushResult));
    }
}
