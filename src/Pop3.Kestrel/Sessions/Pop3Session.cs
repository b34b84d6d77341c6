using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Logging;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// One POP3 session over any duplex pipe: greets, then executes every complete command line in the
/// buffer, flushes the replies once, and reads again. It knows nothing of Kestrel, so tests drive it
/// over an in-memory pipe pair.
/// </summary>
public sealed class Pop3Session
{
    private readonly Pop3ServerOptions _options;
    private readonly Pop3CommandTable _commands;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    /// <summary>
    /// AUTH lines (an initial response, a bearer token) may exceed RFC 2449's 255 octets; this is their
    /// cap, CRLF included. Every other command line is still held to 255.
    /// </summary>
    public const int MaxAuthLineLength = 8192;

    private readonly byte[] _line = new byte[Pop3LineFramer.DefaultMaxLineLength];
    private Pop3LineFramer _framer = new(MaxAuthLineLength);
    private PipeReader? _input;
    private PipeWriter? _output;
    private byte[]? _longLine;
    private Pop3Command _lastCommand;
    private string? _mechanism;
    private bool _authPending;
    private volatile bool _timedOut;
    private volatile bool _stopping;

    internal Pop3Session(Pop3ServerOptions options, Pop3CommandTable commands, IServiceProvider services, TimeProvider time, ILogger logger)
    {
        _options = options;
        _commands = commands;
        _services = services;
        _time = time;
        _logger = logger;
    }

    /// <summary>Where commands, logins and RETR latency are counted; none in unit tests.</summary>
    internal Diagnostics.Pop3Metrics? Metrics { get; init; }

    /// <summary>The protocol trace (<see cref="Pop3ProtocolTrace"/>), redacted.</summary>
    internal ILogger? Trace { get; init; }

    /// <summary>
    /// The connection's place in the gate, when it came through one: told of the login, it may evict the session
    /// before login and shortens the pre-login timeout under pressure.
    /// </summary>
    internal Connections.Pop3ConnectionLease? Admission { get; set; }

    private bool Evicted => Admission is { IsEvicted: true };

    /// <summary>The session's state and counters, once <see cref="RunAsync"/> has started.</summary>
    public Pop3SessionContext? Context { get; private set; }

    /// <summary>
    /// Runs the session until QUIT, a drop, the timeout, too many errors or <paramref name="stopping"/>.
    /// Never throws for protocol or client faults; nothing is deleted unless the client sent QUIT.
    /// </summary>
    public async Task<Pop3SessionSummary> RunAsync(IDuplexPipe transport, Pop3ConnectionInfo connection, CancellationToken stopping, IPop3TlsUpgrade? tls = null)
    {
        _input = transport.Input;
        _output = TraceReplies(transport.Output);
        var context = Context = new Pop3SessionContext(connection, _output, _services, _options, _time) { Tls = tls };
        var end = Pop3SessionEnd.Dropped;

        await using var timer = _time.CreateTimer(static s => ((Pop3Session)s!).OnTimeout(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await using var stopRegistration = stopping.UnsafeRegister(static s => ((Pop3Session)s!).OnStopping(), this);
        Admission?.Watch(OnEvicted);
        try
        {
            end = await ServeAsync(context, timer);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            end = _timedOut ? Pop3SessionEnd.Timeout : _stopping ? Pop3SessionEnd.Shutdown : Evicted ? Pop3SessionEnd.Evicted : Pop3SessionEnd.Dropped;
        }
        catch (Exception e)
        {
            _logger.SessionFailed(e);
            end = Pop3SessionEnd.Error;
            await TryWriteFinalAsync(Pop3Replies.InternalError.ToArray());
        }

        if (_stopping && context.Transfer is { } cut)
        {
            _logger.TransferCutByShutdown(cut.Number, context.User, cut.Sent, cut.Total, _options.DrainTimeout);
        }

        return new Pop3SessionSummary(context.User, end, context.Commands, context.Retrieved, context.RetrievedBytes,
            context.Topped, context.ToppedBytes, context.DeletedAtUpdate, context.DeletedBytesAtUpdate, context.Elapsed);
    }

    private PipeWriter TraceReplies(PipeWriter output)
    {
        if (Trace is not { } trace || !trace.IsEnabled(LogLevel.Trace))
        {
            return output;
        }

        var traced = new Pop3ReplyTrace(output, trace);
        traced.BeginReply();
        return traced;
    }

    private async Task<Pop3SessionEnd> ServeAsync(Pop3SessionContext context, ITimer timer)
    {
        if (Evicted)
        {
            return await EndByServerAsync();
        }

        context.WriteAscii(Greeting(context));
        if (!await FlushAsync())
        {
            return Pop3SessionEnd.Dropped;
        }

        var consecutiveErrors = 0;
        while (true)
        {
            timer.Change(NextTimeout(context), Timeout.InfiniteTimeSpan);
            var read = await _input!.ReadAsync();

            // A read cancelled with no reason left is a late wake-up from an eviction the login overtook: go on.
            if (read.IsCanceled && (_timedOut || _stopping || Evicted))
            {
                return await EndByServerAsync();
            }

            var buffer = read.Buffer;
            var close = false;
            while (!close)
            {
                var status = _framer.TryReadLine(ref buffer, out var line);
                if (status == Pop3FrameStatus.Incomplete)
                {
                    break;
                }

                var result = status == Pop3FrameStatus.TooLong
                    ? LineTooLong(context)
                    : await ExecuteLineAsync(context, line);
                switch (result)
                {
                    case Pop3CommandResult.Failed when ++consecutiveErrors >= _options.MaxErrors:
                        context.Write(Pop3Replies.TooManyErrors);
                        await FlushAsync();
                        return Pop3SessionEnd.TooManyErrors;
                    case Pop3CommandResult.Failed:
                        break;
                    case Pop3CommandResult.LoggedIn:
                        Admission?.Authenticated();
                        context.State = Pop3SessionState.Transaction;
                        consecutiveErrors = 0;
                        break;
                    case Pop3CommandResult.Close:
                        close = true;
                        break;
                    case Pop3CommandResult.StartTls:
                        // Whatever the client sent after STLS was sent in the clear: it is dropped, never executed.
                        _input.AdvanceTo(buffer.End);
                        if (!await FlushAsync() || !await StartTlsAsync(context))
                        {
                            return Pop3SessionEnd.Dropped;
                        }

                        consecutiveErrors = 0;
                        goto NextRead;
                    default:
                        consecutiveErrors = 0;
                        break;
                }

                if (!close && (_timedOut || _stopping || Evicted))
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                    return await EndByServerAsync();
                }

                // A batch of pipelined commands can produce far more output than input (CAPA, LIST, UIDL):
                // flush inside the batch once enough has piled up, so a client that writes without
                // reading is held back by the transport's backpressure instead of growing our memory.
                if (!close && _output!.UnflushedBytes >= Pop3MessageWriter.FlushThreshold && !await FlushAsync())
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                    return _timedOut || _stopping || Evicted ? await EndByServerAsync() : Pop3SessionEnd.Dropped;
                }
            }

            _input.AdvanceTo(buffer.Start, buffer.End);

            // A timeout that fired during the batch may have cut a stalled flush short; a plain flush
            // now could wait forever on a client that does not read, so end with a bounded one.
            if (_timedOut || Evicted)
            {
                return await EndByServerAsync();
            }

            if (!await FlushAsync())
            {
                return _timedOut || _stopping || Evicted ? await EndByServerAsync() : Pop3SessionEnd.Dropped;
            }

            if (close)
            {
                return _lastCommand == Pop3Command.Quit ? Pop3SessionEnd.Quit : Pop3SessionEnd.Dropped;
            }

            if (read.IsCompleted)
            {
                return Pop3SessionEnd.Dropped;
            }

        NextRead:;
        }
    }

    private string Greeting(Pop3SessionContext context)
    {
        var greeting = "+OK " + _options.Greeting;
        foreach (var suffix in _services.GetServices<IPop3GreetingSuffix>())
        {
            if (suffix.GetGreetingSuffix(context) is { Length: > 0 } text)
            {
                greeting += " " + text;
            }
        }

        return greeting;
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

    private Pop3CommandResult LineTooLong(Pop3SessionContext context)
    {
        _logger.LineTooLong();
        context.Continuation = null;
        context.Write(Pop3Replies.LineTooLong);
        return Pop3CommandResult.Failed;
    }

    private async ValueTask<Pop3CommandResult> ExecuteLineAsync(Pop3SessionContext context, ReadOnlySequence<byte> line)
    {
        var continuation = context.Continuation is not null;
        if (Trace is { } trace && trace.IsEnabled(LogLevel.Trace))
        {
            var text = line.Length <= MaxAuthLineLength ? line.ToArray() : [];
            trace.ClientLine(Pop3ProtocolTrace.Redact(text, continuation));
            (_output as Pop3ReplyTrace)?.BeginReply();
        }

        var started = _time.GetTimestamp();
        var sentBefore = context.RetrievedBytes + context.ToppedBytes;
        var result = await ExecuteLineCoreAsync(context, line);
        var command = continuation ? (Pop3Command?)null : _lastCommand;

        // An AUTH that opens a SASL exchange is counted when the exchange ends, with how it ended: its first line
        // only asked for the credentials.
        if (context.Continuation is not null && (continuation ? _authPending : command == Pop3Command.Auth))
        {
            _authPending = true;
            command = null;
        }
        else if (continuation && _authPending)
        {
            _authPending = false;
            command = Pop3Command.Auth;
        }

        _logger.CommandCompleted(_lastCommand, result);
        if (Metrics is { } metrics)
        {
            if (!continuation)
            {
                _mechanism = Diagnostics.Pop3Metrics.Mechanism(_lastCommand, line);
            }

            metrics.LineCompleted(command, _mechanism, result, _time.GetElapsedTime(started), context.RetrievedBytes + context.ToppedBytes - sentBefore);
        }

        return result;
    }

    private async ValueTask<Pop3CommandResult> ExecuteLineCoreAsync(Pop3SessionContext context, ReadOnlySequence<byte> line)
    {
        var length = (int)line.Length;
        var continuation = context.Continuation;
        if (length + 2 <= _line.Length)
        {
            line.CopyTo(_line);
            return continuation is null
                ? await ExecuteAsync(context, length)
                : await ContinueAsync(context, continuation, _line.AsMemory(0, length));
        }

        // Only AUTH and SASL continuations may be longer than 255 octets; they are rare, so they borrow a buffer.
        if (continuation is null && !IsAuth(line))
        {
            return LineTooLong(context);
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            line.CopyTo(rented);
            _longLine = rented;
            return continuation is null
                ? await ExecuteAsync(context, length)
                : await ContinueAsync(context, continuation, rented.AsMemory(0, length));
        }
        finally
        {
            _longLine = null;
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    private static bool IsAuth(in ReadOnlySequence<byte> line)
    {
        Span<byte> start = stackalloc byte[5];
        line.Slice(0, 5).CopyTo(start);
        return Pop3CommandParser.Parse(start, out _) == Pop3Command.Auth && start[4] == (byte)' ';
    }

    // A SASL exchange's lines may verify a password: they run where a login does.
    private static async ValueTask<Pop3CommandResult> ContinueAsync(Pop3SessionContext context, IPop3LineContinuation continuation, ReadOnlyMemory<byte> line)
    {
        context.Continuation = null;
        await new Pop3ThreadPoolHop();
        return await continuation.ContinueAsync(context, line, CancellationToken.None);
    }

    private async ValueTask<bool> StartTlsAsync(Pop3SessionContext context)
    {
        var secure = await context.Tls!.UpgradeAsync(CancellationToken.None);
        if (secure is null)
        {
            return false;
        }

        _input = secure.Input;
        _output = context.Output = TraceReplies(secure.Output);
        context.Connection.IsSecure = true;

        // RFC 2595 §4: the client must discard what it learned before TLS, and so does the server.
        context.PendingUser = null;
        context.Continuation = null;
        return true;
    }

    private ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, int length)
    {
        var lineBuffer = _longLine ?? _line;
        var span = lineBuffer.AsSpan(0, length);
        var command = _lastCommand = Pop3CommandParser.Parse(span, out var argumentsStart);
        context.Commands++;
        _logger.CommandReceived(command, context.State);

        var handler = command == Pop3Command.Unknown ? null : _commands[command];
        if (handler is null)
        {
            context.Write(Pop3Replies.UnknownCommand);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        if (!Pop3StateTable.IsAllowed(context.State, command))
        {
            context.Write(context.State == Pop3SessionState.Authorization ? Pop3Replies.NotAllowedBeforeLogin : Pop3Replies.NotAllowedAfterLogin);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        var arguments = lineBuffer.AsMemory(argumentsStart, length - argumentsStart);
        return MayBlock(context, command) && !Thread.CurrentThread.IsThreadPoolThread
            ? ExecuteOnThreadPoolAsync(handler, context, arguments)
            : handler.ExecuteAsync(context, arguments, CancellationToken.None);
    }

    /// <summary>
    /// Commands that may hold their thread: logins (password hashing, opening and listing the maildrop) and
    /// QUIT's deletions. RETR and TOP decide for themselves by the message's size
    /// (<see cref="Commands.Pop3MessageSender"/>), and STLS's handshake returns on the thread pool from each of its
    /// reads (<see cref="Tls.DuplexPipeStream.IsHandshaking"/>). Every other command works on the session's snapshot in memory.
    /// </summary>
    private static bool MayBlock(Pop3SessionContext context, Pop3Command command) => command switch
    {
        Pop3Command.Pass or Pop3Command.Apop or Pop3Command.Auth => true,
        Pop3Command.Quit => context.Maildrop is { DeletedCount: > 0 },
        _ => false,
    };

    private static async ValueTask<Pop3CommandResult> ExecuteOnThreadPoolAsync(IPop3CommandHandler handler, Pop3SessionContext context, ReadOnlyMemory<byte> arguments)
    {
        await new Pop3ThreadPoolHop();
        return await handler.ExecuteAsync(context, arguments, CancellationToken.None);
    }

    private async ValueTask<Pop3SessionEnd> EndByServerAsync()
    {
        if (Evicted && !_timedOut && !_stopping)
        {
            await TryWriteWithoutWaitingAsync(Admission!.EvictionReply.ToArray());
            return Pop3SessionEnd.Evicted;
        }

        if (_timedOut)
        {
            await TryWriteFinalAsync(Pop3Replies.Timeout.ToArray());
            return Pop3SessionEnd.Timeout;
        }

        await TryWriteFinalAsync(Pop3Replies.ShuttingDown.ToArray());
        return Pop3SessionEnd.Shutdown;
    }

    // Only on the way out, so the small copy of the reply does not matter.
    private async ValueTask TryWriteFinalAsync(byte[] reply)
    {
        try
        {
            var output = _output!;
            (output as Pop3ReplyTrace)?.BeginReply();
            output.Write(reply);
            using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            await output.FlushAsync(giveUp.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client is gone or not reading: there is no one left to tell.
        }
    }

    /// <summary>
    /// Writes an evicted connection's last line only if the transport takes it at once: the place was already given
    /// to another connection, so nothing may wait on a client that does not read.
    /// </summary>
    private async ValueTask TryWriteWithoutWaitingAsync(byte[] reply)
    {
        try
        {
            var output = _output!;
            (output as Pop3ReplyTrace)?.BeginReply();
            output.Write(reply);
            var flush = output.FlushAsync();
            if (!flush.IsCompleted)
            {
                output.CancelPendingFlush();
            }

            await flush;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client is gone: there is no one left to tell.
        }
    }

    private async ValueTask<bool> FlushAsync()
    {
        while (true)
        {
            var flush = await _output!.FlushAsync();

            // A flush cancelled with no reason left is a late wake-up from an eviction the login overtook.
            if (flush.IsCanceled && !flush.IsCompleted && !_timedOut && !_stopping && !Evicted)
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

    private void OnStopping()
    {
        _stopping = true;
        _input?.CancelPendingRead();
    }
}
