using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Sessions;

/// <summary>
/// With inline socket completions the session runs on a socket event thread, shared by many connections:
/// the commands that may block move to the thread pool, the rest stay where they are.
/// </summary>
public sealed class ThreadPoolHopTests
{
    [Fact]
    public async Task The_hop_continues_on_the_thread_pool_from_any_other_thread()
    {
        using var eventThread = new DedicatedThreadScheduler();
        var done = new TaskCompletionSource<(bool Before, bool After)>(TaskCreationOptions.RunContinuationsAsynchronously);
        eventThread.Schedule(async _ =>
        {
            var before = Thread.CurrentThread.IsThreadPoolThread;
            await new Pop3ThreadPoolHop();
            done.SetResult((before, Thread.CurrentThread.IsThreadPoolThread));
        }, null);

        Assert.Equal((false, true), await done.Task);
    }

    [Fact]
    public async Task The_hop_on_a_thread_pool_thread_completes_at_once()
    {
        await Task.Run(() => Assert.True(new Pop3ThreadPoolHop().IsCompleted));
    }

    [Fact]
    public async Task Login_and_a_large_retr_leave_the_event_thread_while_noop_and_a_small_retr_stay()
    {
        using var eventThread = new DedicatedThreadScheduler();
        var seen = new ConcurrentQueue<(string What, bool OnPool)>();
        var small = Encoding.ASCII.GetBytes("Subject: small\r\n\r\nhi\r\n");
        var large = Encoding.ASCII.GetBytes("Subject: large\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 78) + "\r\n", 1000)));
        var noop = new RecordingNoop(seen);
        await using var session = new SessionHarness(
            configure: builder =>
            {
                builder.AddMaildrop(
                    list: _ => ["small", "large"],
                    retrieve: (_, id) =>
                    {
                        seen.Enqueue(("RETR " + id, Thread.CurrentThread.IsThreadPoolThread));
                        return new MemoryStream(id == "small" ? small : large);
                    },
                    delete: (_, _) => { },
                    size: (_, id) => id == "small" ? small.Length : large.Length);
                builder.Services.AddSingleton<IPop3Authenticator>(new RecordingAuthenticator(seen));
                builder.Services.AddSingleton<IPop3CommandHandler>(noop);
            },
            serverThread: eventThread);

        await session.LoginAsync();
        Assert.StartsWith("+OK", await session.CommandAsync("NOOP"));
        Assert.StartsWith("+OK", await session.CommandAsync("RETR 1"));
        Assert.Contains("hi\r\n.\r\n", await session.ReadMultiLineAsync());
        Assert.StartsWith("+OK", await session.CommandAsync("RETR 2"));
        Assert.EndsWith("\r\n.\r\n", await session.ReadMultiLineAsync());

        Assert.Equal([("PASS", true), ("NOOP", false), ("RETR small", false), ("RETR large", true)], seen.ToArray());
    }

    [Fact]
    public async Task A_handler_that_declares_it_may_block_leaves_the_event_thread()
    {
        using var eventThread = new DedicatedThreadScheduler();
        var seen = new ConcurrentQueue<(string What, bool OnPool)>();
        await using var session = new SessionHarness(
            configure: builder => builder.Services.AddSingleton<IPop3CommandHandler>(new RecordingNoop(seen) { MayBlock = true }),
            serverThread: eventThread);

        await session.LoginAsync();
        Assert.Equal("+OK", await session.CommandAsync("NOOP"));

        Assert.Equal([("NOOP", true)], seen.ToArray());
    }

    private sealed class RecordingAuthenticator(ConcurrentQueue<(string, bool)> seen) : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken)
        {
            seen.Enqueue(("PASS", Thread.CurrentThread.IsThreadPoolThread));
            return ValueTask.FromResult(Pop3AuthenticationResult.Success(user));
        }
    }

    private sealed class RecordingNoop(ConcurrentQueue<(string, bool)> seen) : IPop3CommandHandler
    {
        public Pop3Command Command => Pop3Command.Noop;

        public bool MayBlock { get; init; }

        public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
        {
            seen.Enqueue(("NOOP", Thread.CurrentThread.IsThreadPoolThread));
            context.Write(Pop3Replies.Ok);
            return ValueTask.FromResult(Pop3CommandResult.Completed);
        }
    }
}

/// <summary>Runs scheduled work on one dedicated thread, as a socket event thread runs inlined completions.</summary>
internal sealed class DedicatedThreadScheduler : PipeScheduler, IDisposable
{
    private readonly BlockingCollection<(Action<object?> Action, object? State)> _work = new();

    public DedicatedThreadScheduler() =>
        new Thread(() =>
        {
            foreach (var (action, state) in _work.GetConsumingEnumerable())
            {
                action(state);
            }
        }) { IsBackground = true, Name = "test event thread" }.Start();

    public override void Schedule(Action<object?> action, object? state) => _work.Add((action, state));

    public void Dispose() => _work.CompleteAdding();
}

public sealed class DuplexPipeStreamHopTests
{
    [Fact]
    public async Task A_read_returns_on_the_thread_pool_while_asked_to_and_in_place_afterwards()
    {
        using var eventThread = new DedicatedThreadScheduler();
        var input = new Pipe(new PipeOptions(readerScheduler: eventThread, useSynchronizationContext: false));
        var output = new Pipe();
        var stream = new Pop3.Kestrel.Tls.DuplexPipeStream(new TestDuplexPipe(input.Reader, output.Writer)) { IsHandshaking = true };
        var buffer = new byte[16];

        var first = ReadAndTellAsync(stream, buffer);
        await input.Writer.WriteAsync("hello"u8.ToArray());
        Assert.Equal((5, true), await first);

        stream.IsHandshaking = false;
        var second = ReadAndTellAsync(stream, buffer);
        await input.Writer.WriteAsync("again"u8.ToArray());
        Assert.Equal((5, false), await second);
    }

    private static async Task<(int Read, bool OnPool)> ReadAndTellAsync(Stream stream, byte[] buffer)
    {
        // Not back to the test framework's synchronization context: where the read itself returned is what is asked.
        var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
        return (read, Thread.CurrentThread.IsThreadPoolThread);
    }
}
