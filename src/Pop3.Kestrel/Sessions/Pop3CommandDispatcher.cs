using System.Buffers;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Runs one client line for a session: hands it to the exchange waiting for it (SASL) or parses the verb, checks the
/// state table, and calls the handler (on the thread pool if it may block), then logs and meters it. One per session:
/// it owns the session's 255-octet line buffer.
/// </summary>
internal sealed class Pop3CommandDispatcher(Pop3SessionServices shared)
{
    /// <summary>
    /// AUTH lines (an initial response, a bearer token) may exceed RFC 2449's 255 octets; this is their
    /// cap, CRLF included. Every other command line is still held to 255.
    /// </summary>
    internal const int MaxAuthLineLength = 8192;

    private readonly byte[] _line = new byte[Pop3LineFramer.DefaultMaxLineLength];
    private readonly Pop3CommandMeter _meter = new(shared.Metrics, shared.Time);

    public Pop3CommandResult LineTooLong(Pop3SessionContext context)
    {
        shared.Logger.LineTooLong();
        context.EndContinuation();
        context.Write(Pop3Replies.LineTooLong);
        return Pop3CommandResult.Failed;
    }

    /// <summary>Copies one line out of the pipe (AUTH lines longer than 255 octets into a borrowed buffer) and runs it.</summary>
    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlySequence<byte> line, CancellationToken closed)
    {
        var length = (int)line.Length;
        var continuation = context.Continuation;
        TraceLine(context, line, continuation is not null);
        if (length + 2 <= _line.Length)
        {
            line.CopyTo(_line);
            return ExecuteAsync(context, continuation, _line.AsMemory(0, length), closed);
        }

        return ExecuteLongAsync(context, continuation, line, length, closed);
    }

    private async ValueTask<Pop3CommandResult> ExecuteLongAsync(Pop3SessionContext context, IPop3LineContinuation? continuation, ReadOnlySequence<byte> line, int length, CancellationToken closed)
    {
        // Only AUTH and SASL continuations may be longer than 255 octets; they are rare, so they borrow a buffer.
        if (continuation is null && !IsAuth(line))
        {
            return LineTooLong(context);
        }

        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            line.CopyTo(rented);
            return await ExecuteAsync(context, continuation, rented.AsMemory(0, length), closed);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }

    private async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, IPop3LineContinuation? continuation, ReadOnlyMemory<byte> line, CancellationToken closed)
    {
        var started = _meter.Start(context);
        if (continuation is not null)
        {
            var continued = await ContinueAsync(context, continuation, line, closed);
            _meter.Continued(context, continued, started);
            return continued;
        }

        var command = Pop3CommandParser.Parse(line.Span, out var argumentsStart);
        var entry = shared.Commands.Find(command, line.Span);
        var name = entry?.Name ?? Pop3CommandNames.Of(command);
        var result = await DispatchAsync(context, entry, name, line[argumentsStart..], closed);
        shared.Logger.CommandCompleted(name, result);
        _meter.Completed(context, command, name, line, result, started);
        return result;
    }

    private static bool IsAuth(in ReadOnlySequence<byte> line)
    {
        Span<byte> start = stackalloc byte[5];
        line.Slice(0, 5).CopyTo(start);
        return Pop3CommandParser.Parse(start, out _) == Pop3Command.Auth && start[4] == (byte)' ';
    }

    // A SASL exchange's lines may verify a password: they run where a login does.
    private static async ValueTask<Pop3CommandResult> ContinueAsync(Pop3SessionContext context, IPop3LineContinuation continuation, ReadOnlyMemory<byte> line, CancellationToken closed)
    {
        context.EndContinuation();
        await new Pop3ThreadPoolHop();
        return await continuation.ContinueAsync(context, line, closed);
    }

    private ValueTask<Pop3CommandResult> DispatchAsync(
        Pop3SessionContext context, Pop3CommandEntry? entry, string name, ReadOnlyMemory<byte> arguments, CancellationToken closed)
    {
        context.Counters.CommandReceived();
        shared.Logger.CommandReceived(name, context.State);
        if (entry is null)
        {
            context.Write(Pop3Replies.UnknownCommand);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        if (!entry.IsAllowed(context.State))
        {
            context.Write(context.State == Pop3SessionState.Authorization ? Pop3Replies.NotAllowedBeforeLogin : Pop3Replies.NotAllowedAfterLogin);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        // A handler that may hold its thread (password hashing, opening a maildrop) leaves a socket event thread first.
        return entry.MayBlock && !Thread.CurrentThread.IsThreadPoolThread
            ? ExecuteOnThreadPoolAsync(entry.Handler, context, arguments, closed)
            : entry.Handler.ExecuteAsync(context, arguments, closed);
    }

    private static async ValueTask<Pop3CommandResult> ExecuteOnThreadPoolAsync(
        IPop3CommandHandler handler, Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        await new Pop3ThreadPoolHop();
        return await handler.ExecuteAsync(context, arguments, cancellationToken);
    }

    private void TraceLine(Pop3SessionContext context, in ReadOnlySequence<byte> line, bool continuation)
    {
        if (shared.Trace.IsEnabled(LogLevel.Trace))
        {
            var text = line.Length <= MaxAuthLineLength ? line.ToArray() : [];
            shared.Trace.ClientLine(Pop3ProtocolTrace.Redact(text, continuation));
            (context.Output as Pop3ReplyTrace)?.BeginReply();
        }
    }
}
