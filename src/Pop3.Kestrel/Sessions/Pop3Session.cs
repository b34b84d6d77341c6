using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Logging;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// One POP3 session over any duplex pipe. The loop: read; execute every complete line of the buffer; one
/// <c>AdvanceTo(consumed, examined)</c>; flush the replies once; then check for the end. It knows nothing of
/// Kestrel, so tests drive it over an in-memory pipe pair.
/// </summary>
internal sealed class Pop3Session(Pop3SessionServices shared, IServiceProvider services)
{
    private readonly Pop3ServerOptions _options = shared.Options;
    private readonly Pop3CommandDispatcher _commands = new(shared);
    private Pop3LineFramer _framer = new(Pop3CommandDispatcher.MaxAuthLineLength);
    private PipeReader? _input;
    private PipeWriter? _output;
    private CancellationToken _closed;
    private int _errors;
    private volatile bool _timedOut;
    private volatile bool _stopping;
    private volatile bool _kicked;
    private volatile bool _hostStopping;

    /// <summary>
    /// The connection's place in the gate, when it came through one: told of the login, it may evict the session
    /// before login and shortens the pre-login timeout under pressure.
    /// </summary>
    internal Connections.Pop3ConnectionLease? Admission { get; set; }

    /// <summary>The session's state and counters, once <see cref="RunAsync"/> has started.</summary>
    internal Pop3SessionContext? Context { get; private set; }

    private bool Evicted => Admission is { IsEvicted: true };

    private bool Interrupted => _timedOut || _stopping || Evicted;

    /// <summary>
    /// Runs the session until QUIT, a drop, the timeout, too many errors, <paramref name="stopping"/> or <see cref="Kick"/>.
    /// Never throws for protocol or client faults; nothing is deleted unless the client sent QUIT.
    /// <paramref name="closed"/> fires when the connection is gone; handlers get it as their token.
    /// </summary>
    internal async Task<Pop3SessionSummary> RunAsync(
        IDuplexPipe transport, Pop3ConnectionInfo connection, CancellationToken stopping, IPop3TlsUpgrade? tls = null, CancellationToken closed = default)
    {
        _input = transport.Input;
        _output = TraceReplies(transport.Output);
        _closed = closed;
        var context = Context = new Pop3SessionContext(connection, _output, services, _options, shared.Time) { Tls = tls };
        Pop3SessionEnd end;

        await using var timer = shared.Time.CreateTimer(static s => ((Pop3Session)s!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await using var stopRegistration = stopping.UnsafeRegister(static s => ((Pop3Session)s!).OnHostStopping(), this);
        Admission?.Watch(OnEvicted);
        if (_stopping)
        {
            // Kicked before the session started: the first read ends it.
            OnStopping();
        }

        try
        {
            end = await ServeAsync(context, timer);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            end = _timedOut ? Pop3SessionEnd.Timeout : _stopping ? StoppedEnd : Evicted ? Pop3SessionEnd.Evicted : Pop3SessionEnd.Dropped;
        }
        catch (Exception e)
        {
            shared.Logger.SessionFailed(e);
            end = Pop3SessionEnd.Error;
            await TryWriteFinalAsync(Pop3Replies.InternalError.ToArray());
        }

        if (_stopping && context.Transfer is { } cut)
        {
            shared.Logger.TransferCutByShutdown(cut.Number, context.User, cut.Sent, cut.Total, _options.DrainTimeout);
        }

        return context.Summarize(end);
    }

    /// <summary>Ends the session the way a shutdown does (an administrator's kick): no UPDATE, nothing deleted.</summary>
    internal void Kick()
    {
        _kicked = true;
        OnStopping();
    }

    private Pop3SessionEnd StoppedEnd => _kicked && !_hostStopping ? Pop3SessionEnd.Kicked : Pop3SessionEnd.Shutdown;

    private async Task<Pop3SessionEnd> ServeAsync(Pop3SessionContext context, ITimer timer)
    {
        if (Evicted)
        {
            return await EndByServerAsync();
        }

        shared.WriteGreeting(context);
        if (!await FlushAsync())
        {
            return Pop3SessionEnd.Dropped;
        }

        while (true)
        {
            timer.Change(NextTimeout(context), Timeout.InfiniteTimeSpan);
            var read = await _input!.ReadAsync();

            // A read cancelled with no reason left is a late wake-up from an eviction the login overtook: go on.
            if (read.IsCanceled && Interrupted)
            {
                return await EndByServerAsync();
            }

            var (consumed, step) = await ExecuteBatchAsync(context, read.Buffer);
            _input.AdvanceTo(consumed, read.Buffer.End);
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
                await shared.Update.QuitAsync(context);
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

            if (Interrupted)
            {
                return (buffer.Start, Pop3BatchStep.Interrupted);
            }

            // A batch of pipelined commands can produce far more output than input (CAPA, LIST, UIDL): flush inside
            // the batch once enough has piled up, so a client that writes without reading is held back by the
            // transport's backpressure instead of growing our memory.
            if (_output!.UnflushedBytes >= Pop3MessageWriter.FlushThreshold && !await FlushAsync())
            {
                return (buffer.Start, Interrupted ? Pop3BatchStep.Interrupted : Pop3BatchStep.Gone);
            }
        }
    }

    /// <summary>After the input is advanced: flushes the batch's replies and decides whether the session goes on (null).</summary>
    private async ValueTask<Pop3SessionEnd?> CompleteBatchAsync(Pop3SessionContext context, Pop3BatchStep step, bool inputCompleted)
    {
        switch (step)
        {
            case Pop3BatchStep.TooManyErrors:
                context.Write(Pop3Replies.TooManyErrors);
                await FlushAsync();
                return Pop3SessionEnd.TooManyErrors;
            case Pop3BatchStep.Interrupted:
                return await EndByServerAsync();
            case Pop3BatchStep.Gone:
                return Pop3SessionEnd.Dropped;
            case Pop3BatchStep.StartTls:
                return await FlushAsync() && await StartTlsAsync(context) ? null : Pop3SessionEnd.Dropped;
        }

        // A timeout that fired during the batch may have cut a stalled flush short; a plain flush
        // now could wait forever on a client that does not read, so end with a bounded one.
        if (_timedOut || Evicted)
        {
            return await EndByServerAsync();
        }

        if (!await FlushAsync())
        {
            return Interrupted ? await EndByServerAsync() : Pop3SessionEnd.Dropped;
        }

        return step switch
        {
            Pop3BatchStep.Quit => Pop3SessionEnd.Quit,
            Pop3BatchStep.Close => Pop3SessionEnd.Dropped,
            _ => inputCompleted ? Pop3SessionEnd.Dropped : null,
        };
    }

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

    /// <summary>
    /// The inactivity timeout for the next read. Before login it is also bounded by what is left of
    /// <see cref="Pop3ServerOptions.AuthorizationTimeout"/>, counted from the connection's start and never
    /// pushed back by traffic, so a client trickling bytes (slow loris) cannot hold a connection unauthenticated.
    /// Under pressure the gate shortens that timeout (<see cref="Connections.Pop3ConnectionGate.AuthorizationTimeout"/>).
    /// </summary>
    private TimeSpan NextTimeout(Pop3SessionContext context)
    {
        if (context.State != Pop3SessionState.Authorization)
        {
            return _options.CommandTimeout;
        }

        var limit = Admission is { } admission && admission.AuthorizationTimeout < _options.AuthorizationTimeout
            ? admission.AuthorizationTimeout
            : _options.AuthorizationTimeout;
        var left = limit - context.Elapsed;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < _options.CommandTimeout ? left : _options.CommandTimeout;
    }

    private async ValueTask<bool> StartTlsAsync(Pop3SessionContext context)
    {
        var secure = await context.Tls!.UpgradeAsync(_closed);
        if (secure is null)
        {
            return false;
        }

        _input = secure.Input;
        _output = TraceReplies(secure.Output);
        context.Secured(_output);
        return true;
    }

    private PipeWriter TraceReplies(PipeWriter output) => Pop3ReplyTrace.Wrap(output, shared.Trace);

    private async ValueTask<Pop3SessionEnd> EndByServerAsync()
    {
        if (Evicted && !_timedOut && !_stopping)
        {
            await Pop3FinalReply.TryWriteWithoutWaitingAsync(_output!, Admission!.EvictionReply.ToArray());
            return Pop3SessionEnd.Evicted;
        }

        if (_timedOut)
        {
            await TryWriteFinalAsync(Pop3Replies.Timeout.ToArray());
            return Pop3SessionEnd.Timeout;
        }

        await TryWriteFinalAsync(Pop3Replies.ShuttingDown.ToArray());
        return StoppedEnd;
    }

    private ValueTask TryWriteFinalAsync(byte[] reply) => Pop3FinalReply.TryWriteAsync(_output!, reply, shared.Time);

    private async ValueTask<bool> FlushAsync()
    {
        while (true)
        {
            var flush = await _output!.FlushAsync();

            // A flush cancelled with no reason left is a late wake-up from an eviction the login overtook.
            if (flush.IsCanceled && !flush.IsCompleted && !Interrupted)
            {
                continue;
            }

            return !flush.IsCompleted && !flush.IsCanceled;
        }
    }

    private void OnTimeout()
    {
        _timedOut = true;
        _input?.CancelPendingRead();
        _output?.CancelPendingFlush();
    }

    private void OnEvicted()
    {
        _input?.CancelPendingRead();
        _output?.CancelPendingFlush();
    }

    private void OnHostStopping()
    {
        _hostStopping = true;
        OnStopping();
    }

    private void OnStopping()
    {
        _stopping = true;
        _input?.CancelPendingRead();
    }
}
