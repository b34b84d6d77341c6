using System.IO.Pipelines;
using System.Net;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Benchmarks;

/// <summary>Reply formatting through <see cref="Pop3SessionContext"/>'s writers, into a fixed buffer.</summary>
[MemoryDiagnoser]
public class ReplyBenchmarks
{
    private readonly ResettableWriter _output = new();
    private Pop3SessionContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The context's constructor is internal: the benchmark builds one by reflection, once.
        var info = new Pop3ConnectionInfo("bench", new IPEndPoint(IPAddress.Loopback, 50000), null);
        _context = (Pop3SessionContext)Activator.CreateInstance(
            typeof(Pop3SessionContext), BindingFlags.Instance | BindingFlags.NonPublic, binder: null,
            [info, _output, new ServiceCollection().BuildServiceProvider(), new Pop3ServerOptions(), TimeProvider.System], culture: null)!;
    }

    /// <summary>A fixed reply.</summary>
    [Benchmark]
    public int Fixed()
    {
        _output.Reset();
        _context.Write(Pop3Replies.Ok);
        return _output.Written;
    }

    /// <summary><c>+OK 1234 567890123</c> (STAT, LIST n).</summary>
    [Benchmark]
    public int Ok_pair()
    {
        _output.Reset();
        _context.WriteOk(1234, 567890123);
        return _output.Written;
    }

    /// <summary><c>+OK 4096 octets</c> (RETR's status line).</summary>
    [Benchmark]
    public int Octets_line()
    {
        _output.Reset();
        _context.WriteLine("+OK "u8, 4096, " octets\r\n"u8);
        return _output.Written;
    }

    /// <summary>A UIDL line.</summary>
    [Benchmark]
    public int Uid_line()
    {
        _output.Reset();
        _context.WriteUid(12, "1700000000.M123P456.host,S=4096", ok: false);
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
