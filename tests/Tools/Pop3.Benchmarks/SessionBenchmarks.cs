using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;

namespace Pop3.Benchmarks;

/// <summary>
/// Command dispatch: a whole <see cref="Pop3Session"/> over an in-memory pipe pair, logged in, executing
/// 16 pipelined commands per write (NOOP, STAT, LIST 1, UIDL 1, four times). Per command, client work included.
/// </summary>
[MemoryDiagnoser]
public class SessionBenchmarks
{
    private const int Commands = 16;
    private static readonly byte[] s_batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("NOOP\r\nSTAT\r\nLIST 1\r\nUIDL 1\r\n", Commands / 4)));
    private static readonly byte[] s_retrBatch = Encoding.ASCII.GetBytes("RETR 1\r\n");
    // Inline schedulers: continuations run on the writer's thread, so the figure is the CPU cost of the
    // session and the client's parsing, without thread-pool hops (which Kestrel's own transport has too).
    private static readonly PipeOptions s_inline = new(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);
    private readonly Pipe _toServer = new(s_inline);
    private readonly Pipe _toClient = new(s_inline);
    private ServiceProvider? _provider;
    private CancellationTokenSource? _stopping;
    private Task? _run;
    private int _retrReplyLength;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        var message = MessageText.Make(4 * 1024, crlf: false);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddPop3Server(o => o.MaxErrors = int.MaxValue).AddInMemoryMaildrop(store =>
        {
            for (var i = 0; i < 10; i++)
            {
                store.Add("bench", message);
            }
        });
        services.AddSingleton<IPop3Authenticator, BenchAuthenticator>();
        services.AddSingleton<IHostApplicationLifetime, NoLifetime>();
        _provider = services.BuildServiceProvider();
        var session = _provider.GetRequiredService<Pop3SessionFactory>().Create(_provider.CreateAsyncScope().ServiceProvider);
        var info = new Pop3ConnectionInfo("bench", new IPEndPoint(IPAddress.Loopback, 50000), new IPEndPoint(IPAddress.Loopback, 110));
        _stopping = new CancellationTokenSource();
        _run = session.RunAsync(new DuplexPipe(_toServer.Reader, _toClient.Writer), info, _stopping.Token);
        await ReadLinesAsync(1);
        _toServer.Writer.Write("USER bench\r\nPASS bench\r\n"u8);
        await _toServer.Writer.FlushAsync();
        await ReadLinesAsync(2);

        // Learn the exact length of a RETR reply once, so the benchmark reads exactly that much.
        _toServer.Writer.Write(s_retrBatch);
        await _toServer.Writer.FlushAsync();
        var received = new MemoryStream();
        while (!received.ToArray().AsSpan().EndsWith("\r\n.\r\n"u8))
        {
            var read = await _toClient.Reader.ReadAsync();
            foreach (var segment in read.Buffer)
            {
                received.Write(segment.Span);
            }

            _toClient.Reader.AdvanceTo(read.Buffer.End);
        }

        _retrReplyLength = (int)received.Length;
    }

    /// <summary>16 pipelined commands in one write; per command.</summary>
    [Benchmark(OperationsPerInvoke = Commands)]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> Pipelined_commands()
    {
        _toServer.Writer.Write(s_batch);
        await _toServer.Writer.FlushAsync();
        return await ReadLinesAsync(Commands);
    }

    /// <summary>One command, one reply, in lockstep.</summary>
    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> Lockstep_STAT()
    {
        _toServer.Writer.Write("STAT\r\n"u8);
        await _toServer.Writer.FlushAsync();
        return await ReadLinesAsync(1);
    }

    /// <summary>RETR of a 4 KiB message (LF endings) through the session.</summary>
    [Benchmark]
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> Retr_4KiB()
    {
        _toServer.Writer.Write(s_retrBatch);
        await _toServer.Writer.FlushAsync();
        var left = _retrReplyLength;
        while (left > 0)
        {
            var read = await _toClient.Reader.ReadAsync();
            var take = (int)Math.Min(left, read.Buffer.Length);
            left -= take;
            _toClient.Reader.AdvanceTo(read.Buffer.GetPosition(take));
        }

        return _retrReplyLength;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadLinesAsync(int lines)
    {
        var total = 0;
        while (lines > 0)
        {
            var read = await _toClient.Reader.ReadAsync();
            var consumed = read.Buffer.End;
            var reader = new System.Buffers.SequenceReader<byte>(read.Buffer);
            while (lines > 0 && reader.TryAdvanceTo((byte)'\n'))
            {
                lines--;
                consumed = reader.Position;
            }

            total += (int)reader.Consumed;
            _toClient.Reader.AdvanceTo(consumed, read.Buffer.End);
            if (read.IsCompleted && lines > 0)
            {
                throw new InvalidOperationException("The session ended early.");
            }
        }

        return total;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _toServer.Writer.Complete();
        _run?.GetAwaiter().GetResult();
        _provider?.Dispose();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }

    private sealed class BenchAuthenticator : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(user == "bench" && password == "bench" ? Pop3AuthenticationResult.Success("bench") : Pop3AuthenticationResult.Failure);
    }

    private sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
