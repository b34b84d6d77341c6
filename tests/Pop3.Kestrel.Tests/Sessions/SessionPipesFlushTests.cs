using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Sessions;

/// <summary>
/// The session's one flush per batch: true when the replies went out, false when the client is gone or a reason to end
/// the session cut the flush short; a cancellation with no reason left (an eviction the login overtook) is retried.
/// Each case is checked with a flush that completes at once (the path without a state machine) and one that waits.
/// </summary>
public sealed class SessionPipesFlushTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_flush_that_goes_through_says_so(bool waits)
    {
        var (pipes, signals, pipe) = Make(waits);
        pipes.Output!.Write("+OK\r\n"u8);

        var flushed = pipes.FlushAsync(signals);
        await ReadReplyIfWaiting(pipe, waits, flushed);

        Assert.True(await flushed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_flush_to_a_client_that_is_gone_fails(bool waits)
    {
        var (pipes, signals, pipe) = Make(waits);
        pipes.Output!.Write("+OK\r\n"u8);
        if (!waits)
        {
            await pipe.Reader.CompleteAsync();
            Assert.False(await pipes.FlushAsync(signals));
            return;
        }

        var flushed = pipes.FlushAsync(signals);
        Assert.False(flushed.IsCompleted);
        await pipe.Reader.CompleteAsync();
        Assert.False(await flushed);
    }

    [Fact]
    public async Task A_cancellation_with_no_reason_left_is_retried_when_the_flush_completes_at_once()
    {
        var (pipes, signals, _) = Make(waits: false);
        pipes.Output!.Write("+OK\r\n"u8);
        pipes.Output!.CancelPendingFlush();

        Assert.True(await pipes.FlushAsync(signals));
    }

    [Fact]
    public async Task A_cancellation_with_no_reason_left_is_retried_when_the_flush_waits()
    {
        var (pipes, signals, pipe) = Make(waits: true);
        pipes.Output!.Write("+OK\r\n"u8);
        var flushed = pipes.FlushAsync(signals);
        pipes.Output!.CancelPendingFlush();

        // The retried flush waits for the client in turn, and goes through once the client reads.
        Assert.False(flushed.IsCompleted);
        await ReadReplyIfWaiting(pipe, waits: true, flushed);
        Assert.True(await flushed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_flush_cut_short_by_the_timeout_fails(bool waits)
    {
        var (pipes, signals, _) = Make(waits);
        pipes.Output!.Write("+OK\r\n"u8);
        if (waits)
        {
            var flushed = pipes.FlushAsync(signals);
            signals.OnTimeout();
            Assert.False(await flushed);
            return;
        }

        signals.OnTimeout();
        Assert.False(await pipes.FlushAsync(signals));
    }

    private static (Pop3SessionPipes Pipes, Pop3SessionSignals Signals, Pipe Pipe) Make(bool waits)
    {
        // A pause threshold of one octet makes every flush with a reply wait for the reader.
        var pipe = new Pipe(new PipeOptions(
            pauseWriterThreshold: waits ? 1 : 0, resumeWriterThreshold: waits ? 1 : 0,
            readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
        var pipes = new Pop3SessionPipes(NullLogger.Instance, TimeProvider.System);
        pipes.Use(new TestDuplexPipe(new Pipe().Reader, pipe.Writer));
        return (pipes, new Pop3SessionSignals(pipes), pipe);
    }

    private static async Task ReadReplyIfWaiting(Pipe pipe, bool waits, ValueTask<bool> flushed)
    {
        if (!waits)
        {
            return;
        }

        Assert.False(flushed.IsCompleted);
        var read = await pipe.Reader.ReadAsync();
        pipe.Reader.AdvanceTo(read.Buffer.End);
    }
}
