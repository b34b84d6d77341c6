using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// The pipes a session talks over: the connection's, then TLS's after STLS. The output goes through the reply trace
/// while the trace is on. Cancelling a pending read or flush is how the timer, a shutdown and the gate wake the loop.
/// </summary>
internal sealed class Pop3SessionPipes(ILogger trace, TimeProvider time)
{
    /// <summary>Where client lines come from; null until the session starts.</summary>
    public PipeReader? Input { get; private set; }

    /// <summary>Where replies go; null until the session starts.</summary>
    public PipeWriter? Output { get; private set; }

    /// <summary>Talks over <paramref name="transport"/> from now on (at the start, and after a TLS handshake).</summary>
    public void Use(IDuplexPipe transport)
    {
        Input = transport.Input;
        Output = Pop3ReplyTrace.Wrap(transport.Output, trace);
    }

    /// <summary>Wakes a pending read; with <paramref name="flush"/>, a flush stalled on a client that does not read, too.</summary>
    public void Wake(bool flush)
    {
        Input?.CancelPendingRead();
        if (flush)
        {
            Output?.CancelPendingFlush();
        }
    }

    /// <summary>
    /// Flushes the replies; false if the client is gone or the flush was cut short by the timer, a shutdown or an
    /// eviction that still holds.
    /// </summary>
    /// <remarks>Not async when the flush completes at once, the common case: this runs once per batch of commands.</remarks>
    public ValueTask<bool> FlushAsync(Pop3SessionSignals signals)
    {
        var pending = Output!.FlushAsync();
        if (!pending.IsCompletedSuccessfully)
        {
            return FlushSlowlyAsync(pending, signals);
        }

        return Outcome(pending.Result, signals) is { } done ? ValueTask.FromResult(done) : FlushSlowlyAsync(Output.FlushAsync(), signals);
    }

    private async ValueTask<bool> FlushSlowlyAsync(ValueTask<FlushResult> pending, Pop3SessionSignals signals)
    {
        while (true)
        {
            if (Outcome(await pending, signals) is { } done)
            {
                return done;
            }

            pending = Output!.FlushAsync();
        }
    }

    /// <summary>Whether a flush went through; null to flush again.</summary>
    /// <remarks>A flush cancelled with no reason left is a late wake-up from an eviction the login overtook: it is retried.</remarks>
    private static bool? Outcome(FlushResult flush, Pop3SessionSignals signals) =>
        flush.IsCanceled && !flush.IsCompleted && !signals.Interrupted ? null : !flush.IsCompleted && !flush.IsCanceled;

    /// <summary>Flushes when enough output has piled up (long listings, inside a handler); false if the client is gone.</summary>
    public async ValueTask<bool> FlushIfFullAsync(CancellationToken cancellationToken)
    {
        if (Output!.UnflushedBytes < Pop3MessageWriter.FlushThreshold)
        {
            return true;
        }

        var flush = await Output.FlushAsync(cancellationToken);
        return !flush.IsCompleted && !flush.IsCanceled;
    }

    /// <summary>Writes the session's last line, waiting a few seconds at most for the client to take it.</summary>
    public ValueTask TryWriteFinalAsync(ReadOnlySpan<byte> reply) => Pop3FinalReply.TryWriteAsync(Output!, reply.ToArray(), time);

    /// <summary>Writes an evicted session's last line only if the transport takes it at once.</summary>
    public ValueTask TryWriteFinalWithoutWaitingAsync(ReadOnlySpan<byte> reply) => Pop3FinalReply.TryWriteWithoutWaitingAsync(Output!, reply.ToArray());
}
