using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Tls;

namespace Pop3.Benchmarks;

/// <summary>
/// A RETR over TLS, server side only: the message through the dot-stuffing writer into the TLS transport, encrypted,
/// into an in-memory connection pipe whose reader discards the ciphertext (the client's decryption is not measured).
/// <c>Now</c> is <see cref="Pop3TlsTransport"/> (32 KiB to SslStream per call, full 16 KiB records, one send per 64 KiB); <c>Before</c> is the write path
/// it replaced (4 KiB records, a flush of the connection's pipe per record), kept here to measure against.
/// <c>OneRecordPerCall</c> is <c>Now</c> with 16 KiB handed to SslStream per call instead of 32 KiB (one record, not two).
/// <c>InTheClear</c> (the same RETR into a plain pipe) and <c>CipherAlone</c> (AES-256-GCM over as many octets in
/// 16 KiB records, what TLS 1.3 negotiates here) are the two floors: what is above their sum is the TLS machinery.
/// </summary>
[MemoryDiagnoser]
public class TlsWriteBenchmarks
{
    private static readonly PipeOptions s_inline = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);
    private readonly List<IAsyncDisposable> _open = [];
    private byte[] _message = [];
    private PipeWriter? _now;
    private PipeWriter? _before;
    private PipeWriter? _clear;
    private PipeWriter? _oneRecordPerCall;
    private AesGcm? _cipher;
    private byte[] _record = [];
    private byte[] _sealed = [];

    [Params(1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _message = MessageText.Make(Size, crlf: false);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1));
        var context = SslStreamCertificateContext.Create(X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null), null);
        var options = new SslServerAuthenticationOptions { ServerCertificateContext = context };

        var (now, nowClient) = NewConnection();
        var nowServer = Pop3TlsTransport.AuthenticateAsync(now, (_, _, _, _) => ValueTask.FromResult(options), TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        await HandshakeClientAsync(nowClient);
        var secure = (await nowServer).Transport ?? throw new InvalidOperationException("TLS handshake failed.");
        _open.Add(secure);
        _now = secure.Output;
        Discard(now);

        var (single, singleClient) = NewConnection();
        var singleServer = Pop3TlsTransport.AuthenticateAsync(single, (_, _, _, _) => ValueTask.FromResult(options), TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        await HandshakeClientAsync(singleClient);
        var singleSecure = (await singleServer).Transport ?? throw new InvalidOperationException("TLS handshake failed.");
        _open.Add(singleSecure);
        _oneRecordPerCall = PipeWriter.Create(singleSecure.Ssl, new StreamPipeWriterOptions(minimumBufferSize: Pop3TlsTransport.RecordSize, leaveOpen: true));
        Discard(single);

        var (before, beforeClient) = NewConnection();
        var ssl = new SslStream(new FlushEachWriteStream(before), leaveInnerStreamOpen: true);
        var beforeServer = ssl.AuthenticateAsServerAsync(options);
        await HandshakeClientAsync(beforeClient);
        await beforeServer;
        _open.Add(ssl);
        _before = PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true));
        Discard(before);

        var clear = new Pipe(s_inline);
        _clear = clear.Writer;
        Discard(new Connection(clear.Reader, clear.Writer, clear.Reader));

        _cipher = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        _record = new byte[Pop3TlsTransport.RecordSize];
        _sealed = new byte[Pop3TlsTransport.RecordSize];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cipher?.Dispose();
        foreach (var open in _open)
        {
            open.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public Task Before() => RetrAsync(_before!);

    [Benchmark]
    public Task Now() => RetrAsync(_now!);

    [Benchmark]
    public Task OneRecordPerCall() => RetrAsync(_oneRecordPerCall!);

    [Benchmark]
    public Task InTheClear() => RetrAsync(_clear!);

    [Benchmark]
    public void CipherAlone()
    {
        Span<byte> nonce = stackalloc byte[12];
        Span<byte> tag = stackalloc byte[16];
        for (var done = 0; done < _message.Length; done += _record.Length)
        {
            _cipher!.Encrypt(nonce, _record, _sealed, tag);
        }
    }

    private async Task RetrAsync(PipeWriter output)
    {
        await Pop3MessageWriter.WriteAsync(new MemoryStream(_message, writable: false), output, -1, CancellationToken.None);
        await output.FlushAsync();
    }

    /// <summary>
    /// The four methods in turn, 40 RETRs each per round, timed by the process's CPU time rather than the clock: on a
    /// machine shared with other work the clock counts the time this process waited for a core, its CPU time does not.
    /// Prints the median nanoseconds of CPU per octet of the message for each.
    /// </summary>
    public static async Task CpuSplitAsync(TextWriter log, int rounds)
    {
        var benchmarks = new TlsWriteBenchmarks { Size = 1024 * 1024 };
        benchmarks.Setup();
        try
        {
            (string Name, Func<Task> Run)[] methods =
            [
                (nameof(Before), benchmarks.Before),
                (nameof(Now), benchmarks.Now),
                (nameof(OneRecordPerCall), benchmarks.OneRecordPerCall),
                (nameof(InTheClear), benchmarks.InTheClear),
                (nameof(CipherAlone), () => { benchmarks.CipherAlone(); return Task.CompletedTask; }),
            ];
            var samples = methods.ToDictionary(m => m.Name, _ => new List<double>());
            for (var round = -2; round < rounds; round++)
            {
                foreach (var (name, run) in methods)
                {
                    var before = Environment.CpuUsage.TotalTime;
                    for (var i = 0; i < 40; i++)
                    {
                        await run();
                    }

                    // The first two rounds warm the JIT up and are not counted.
                    if (round >= 0)
                    {
                        samples[name].Add((Environment.CpuUsage.TotalTime - before).TotalMilliseconds * 1e6 / (40.0 * benchmarks.Size));
                    }
                }
            }

            foreach (var (name, values) in samples)
            {
                values.Sort();
                log.WriteLine(FormattableString.Invariant($"{name,-16} {values[values.Count / 2]:F3} ns/B of CPU (median of {values.Count}; {values[0]:F3}-{values[^1]:F3})"));
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    /// <summary>The server's side of a connection, and the client's.</summary>
    private static (Connection Server, Connection Client) NewConnection()
    {
        var toServer = new Pipe(s_inline);
        var toClient = new Pipe(s_inline);
        return (new Connection(toServer.Reader, toClient.Writer, toClient.Reader), new Connection(toClient.Reader, toServer.Writer, null));
    }

    private async Task HandshakeClientAsync(Connection client)
    {
        var ssl = new SslStream(new FlushEachWriteStream(client), leaveInnerStreamOpen: true, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        _open.Add(ssl);
    }

    /// <summary>From now on the client's side of the pipe is read and thrown away, as fast as the server writes.</summary>
    private static void Discard(Connection server) => _ = Task.Run(async () =>
    {
        var reader = server.Sent!;
        while (true)
        {
            var read = await reader.ReadAsync();
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return;
            }
        }
    });

    private sealed record Connection(PipeReader Input, PipeWriter Output, PipeReader? Sent) : IDuplexPipe;

    /// <summary>The stream under SslStream as it was: every write copied into the pipe and flushed at once.</summary>
    private sealed class FlushEachWriteStream(IDuplexPipe pipe) : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var result = await pipe.Input.ReadAsync(cancellationToken);
                if (!result.Buffer.IsEmpty)
                {
                    var count = (int)Math.Min(result.Buffer.Length, destination.Length);
                    result.Buffer.Slice(0, count).CopyTo(destination.Span);
                    pipe.Input.AdvanceTo(result.Buffer.GetPosition(count));
                    return count;
                }

                pipe.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return 0;
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
            await pipe.Output.WriteAsync(source, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => pipe.Output.FlushAsync(cancellationToken).AsTask();

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
