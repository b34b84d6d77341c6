using System.Buffers;
using System.IO.Pipelines;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// One POP3 session over any duplex pipe. The loop: read; execute every complete line of the buffer; one
/// <c>AdvanceTo(consumed, examined)</c>; flush the replies once; then check for the end. It knows nothing of
/// Kestrel, so tests drive it over an in-memory pipe pair.
/// </summary>
internal sealed class Pop3Session
{
    private readonly Pop3SessionServices _shared;
    private readonly IServiceProvider _services;
    private readonly Pop3ServerOptions _options;
    private readonly Pop3CommandDispatcher _commands;
    private readonly Pop3SessionPipes _pipes;
    private readonly Pop3SessionSignals _signals;
    private Pop3LineFramer _framer = new(Pop3CommandDispatcher.MaxAuthLineLength);
    private CancellationToken _closed;
    private int _errors;

    public Pop3Session(Pop3SessionServices shared, IServiceProvider services)
    {
        _shared = shared;
        _services = services;
        _options = shared.Options;
        _commands = new(shared);
        _pipes = new(shared.Trace, shared.Time);
        _signals = new(_pipes);
    }

    /// <inheritdoc cref="Pop3SessionSignals.Admission"/>
    internal Connections.Pop3ConnectionLease? Admission
    {
        get => _signals.Admission;
        set => _signals.Admission = value;
    }

    /// <summary>The session's state and counters, once <see cref="RunAsync"/> has started.</summary>
    internal Pop3SessionContext? Context { get; private set; }

    /// <summary>
    /// Runs the session until QUIT, a drop, the timeout, too many errors, <paramref name="stopping"/> or <see cref="Kick"/>.
    /// Never throws for protocol or client faults; nothing is deleted unless the client sent QUIT.
    /// <paramref name="closed"/> fires when the connection is gone; handlers get it as their token.
    /// </summary>
    internal async Task<Pop3SessionSummary> RunAsync(
        IDuplexPipe transport, Pop3ConnectionInfo connection, CancellationToken stopping, IPop3TlsUpgrade? tls = null, CancellationToken closed = default)
    {
        _pipes.Use(transport);
        _closed = closed;
        var context = Context = new Pop3SessionContext(connection, _pipes, _services, _shared.Time) { Tls = tls };
        Pop3SessionEnd end;

        await using var timer = _shared.Time.CreateTimer(static s => ((Pop3SessionSignals)s!).OnTimeout(), _signals, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await using var stopRegistration = stopping.UnsafeRegister(static s => ((Pop3SessionSignals)s!).OnHostStopping(), _signals);
        Admission?.Watch(_signals.OnEvicted);
        if (_signals.Stopping)
        {
            // Kicked before the session started: the first read ends it.
            _pipes.Wake(flush: false);
        }

        try
        {
            end = await ServeAsync(context, timer);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            end = _signals.BrokenEnd;
        }
        catch (Exception e)
        {
            _shared.Logger.SessionFailed(e);
            end = Pop3SessionEnd.Error;
            await _pipes.TryWriteFinalAsync(Pop3Replies.InternalError);
        }

        if (_signals.Stopping && context.Counters.Transfer is { } cut)
        {
            _shared.Logger.TransferCutByShutdown(cut.Number, context.User, cut.Sent, cut.Total, _options.DrainTimeout);
        }

        return context.Counters.Summarize(context.User, end);
    }

    /// <inheritdoc cref="Pop3SessionSignals.Kick"/>
    internal void Kick() => _signals.Kick();

    private async Task<Pop3SessionEnd> ServeAsync(Pop3SessionContext context, ITimer timer)
    {
        if (_signals.Evicted)
        {
            return await _signals.EndAsync();
        }

        _shared.WriteGreeting(context);
        if (!await FlushAsync())
        {
            return Pop3SessionEnd.Dropped;
        }

        while (true)
        {
            timer.Change(_signals.NextTimeout(_options, context.State, context.Counters), Timeout.InfiniteTimeSpan);
            var read = await _pipes.Input!.ReadAsync();

            // A read cancelled with no reason left is a late wake-up from an eviction the login overtook: go on.
            if (read.IsCanceled && _signals.Interrupted)
            {
                return await _signals.EndAsync();
            }

            var (consumed, step) = await ExecuteBatchAsync(context, read.Buffer);
            _pipes.Input.AdvanceTo(consumed, read.Buffer.End);
            if (await CompleteBatchAsync(context, step, read.IsCompleted) is { } end)
            {
                return end;
            }
        }
    }

    /// <summary>Executes every complete line of <paramref name="buffer"/>; says how far it got and why it stopped.</summary>
    private async ValueTask<(SequencePosition Consumed, Pop3BatchStep Step)> ExecuteBatchAsync(Pop3SessionContext context, ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            var status = _framer.TryReadLine(ref buffer, out var line);
            if (status == Pop3FrameStatus.Incomplete)
            {
                return (buffer.Start, Pop3BatchStep.ReadMore);
            }

            var result = status == Pop3FrameStatus.TooLong ? _commands.LineTooLong(context) : await _commands.ExecuteAsync(context, line, _closed);
            var step = Apply(context, result);
            if (step == Pop3BatchStep.Quit)
            {
                await _shared.Update.QuitAsync(context);
            }

            // Whatever the client sent after STLS was sent in the clear: it is dropped, never executed.
            if (step == Pop3BatchStep.StartTls)
            {
                return (buffer.End, step);
            }

            if (step != Pop3BatchStep.ReadMore)
            {
                return (buffer.Start, step);
            }

            if (_signals.Interrupted)
            {
                return (buffer.Start, Pop3BatchStep.Interrupted);
            }

            // A batch of pipelined commands can produce far more output than input (CAPA, LIST, UIDL): flush inside
            // the batch once enough has piled up, so a client that writes without reading is held back by the
            // transport's backpressure instead of growing our memory.
            if (_pipes.Output!.UnflushedBytes >= Pop3MessageWriter.FlushThreshold && !await FlushAsync())
            {
                return (buffer.Start, _signals.Interrupted ? Pop3BatchStep.Interrupted : Pop3BatchStep.Gone);
            }
        }
    }

    /// <summary>
    /// After the input is advanced: flushes the batch's replies and decides whether the session goes on (null). Not async
    /// when the session goes on and the flush completes at once: a client in lockstep makes a batch of every command.
    /// </summary>
    private ValueTask<Pop3SessionEnd?> CompleteBatchAsync(Pop3SessionContext context, Pop3BatchStep step, bool inputCompleted)
    {
        if (step != Pop3BatchStep.ReadMore || inputCompleted || _signals.MustEndNow)
        {
            return EndBatchAsync(context, step, inputCompleted);
        }

        var flush = FlushAsync();
        return !flush.IsCompletedSuccessfully ? GoOnAfterFlushAsync(flush) : flush.Result ? default : FlushFailedAsync();
    }

    private async ValueTask<Pop3SessionEnd?> GoOnAfterFlushAsync(ValueTask<bool> flush) =>
        await flush ? null : await FlushFailedAsync();

    /// <summary>Every batch that may end the session: a step other than reading on, the client's end of input, a timeout.</summary>
    private async ValueTask<Pop3SessionEnd?> EndBatchAsync(Pop3SessionContext context, Pop3BatchStep step, bool inputCompleted)
    {
        switch (step)
        {
            case Pop3BatchStep.TooManyErrors:
                context.Write(Pop3Replies.TooManyErrors);
                await FlushAsync();
                return Pop3SessionEnd.TooManyErrors;
            case Pop3BatchStep.Interrupted:
                return await _signals.EndAsync();
            case Pop3BatchStep.Gone:
                return Pop3SessionEnd.Dropped;
            case Pop3BatchStep.StartTls:
                return await FlushAsync() && await StartTlsAsync(context) ? null : Pop3SessionEnd.Dropped;
        }

        // A timeout that fired during the batch may have cut a stalled flush short; a plain flush
        // now could wait forever on a client that does not read, so end with a bounded one.
        if (_signals.MustEndNow)
        {
            return await _signals.EndAsync();
        }

        if (!await FlushAsync())
        {
            return await FlushFailedAsync();
        }

        return step switch
        {
            Pop3BatchStep.Quit => Pop3SessionEnd.Quit,
            Pop3BatchStep.Close => Pop3SessionEnd.Dropped,
            _ => inputCompleted ? Pop3SessionEnd.Dropped : null,
        };
    }

    /// <summary>A flush that did not go through: the client is gone, or the timer, a shutdown or an eviction cut it short.</summary>
    private async ValueTask<Pop3SessionEnd?> FlushFailedAsync() =>
        _signals.Interrupted ? await _signals.EndAsync() : Pop3SessionEnd.Dropped;

    /// <summary>The one place a command's result changes the session: its state, the error count, how the batch goes on.</summary>
    private Pop3BatchStep Apply(Pop3SessionContext context, Pop3CommandResult result)
    {
        context.State = Pop3Transitions.Next(context.State, result);
        switch (result)
        {
            case Pop3CommandResult.Failed:
                return ++_errors >= _options.MaxErrors ? Pop3BatchStep.TooManyErrors : Pop3BatchStep.ReadMore;
            case Pop3CommandResult.LoggedIn:
                Admission?.Authenticated();
                break;
            case Pop3CommandResult.Quit:
                // In UPDATE now if the client was logged in: the loop lets Pop3Update commit and reply.
                return Pop3BatchStep.Quit;
            case Pop3CommandResult.Close:
                return Pop3BatchStep.Close;
            case Pop3CommandResult.StartTls:
                _errors = 0;
                return Pop3BatchStep.StartTls;
        }

        _errors = 0;
        return Pop3BatchStep.ReadMore;
    }

    private async ValueTask<bool> StartTlsAsync(Pop3SessionContext context)
    {
        if (await context.Tls!.UpgradeAsync(_closed) is not { } secure)
        {
            return false;
        }

        _pipes.Use(secure);
        context.Secured();
        return true;
    }

    private ValueTask<bool> FlushAsync() => _pipes.FlushAsync(_signals);
}
