using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// One LMTP conversation (RFC 2033) over a duplex pipe: every complete command in the buffer is executed in order by
/// its verb's handler (<see cref="LmtpCommandTable"/>) and the replies flushed together (PIPELINING); message data is
/// dot-unstuffed as it arrives into a bounded spool (<see cref="LmtpMessageReceiver"/>), and after the final dot each
/// accepted recipient gets its own copy and its own reply (<see cref="LmtpMessageDelivery"/>). Knows nothing of Kestrel.
/// </summary>
internal sealed class LmtpSession(
    Pop3LmtpOptions options,
    LmtpReplies replies,
    IPop3UserDirectory users,
    IPop3MailDelivery delivery,
    TimeProvider time,
    ILogger logger,
    LmtpMetrics? metrics = null) : IAsyncDisposable
{
    private readonly LmtpMessageReceiver _message = new(options.SpoolMemoryLimit, options.MaxMessageSize);
    private readonly byte[] _line = new byte[LmtpLineFramer.MaxLineLength];
    private LmtpSessionContext? _context;
    private bool _discarding;
    private int _errors;

    /// <summary>What the session did, for its summary line.</summary>
    public (int Messages, int Delivered, int Refused) Counts =>
        _context is { } context ? (context.Messages, context.Delivered, context.Refused) : default;

    /// <summary>
    /// Greets, then serves commands until QUIT, the client leaving, a timeout or <paramref name="stopping"/>, which ends
    /// the wait for the next command but not a command in progress. <paramref name="closed"/> fires when the connection
    /// is gone; handlers and deliveries get it as their token.
    /// </summary>
    public async Task<LmtpSessionEnd> RunAsync(IDuplexPipe transport, CancellationToken stopping, CancellationToken closed = default)
    {
        var input = transport.Input;
        var output = transport.Output;
        var context = _context = new LmtpSessionContext(options, replies, users, delivery, time, logger, metrics, _message, output);
        output.Write(replies.Greeting);
        if ((await output.FlushAsync(stopping)).IsCompleted)
        {
            return LmtpSessionEnd.Dropped;
        }

        // One timer for the whole session, re-armed for each read; a shutdown fires it too.
        using var timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var shutdown = stopping.Register(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                timeout.CancelAfter(options.CommandTimeout);
                result = await input.ReadAsync(timeout.Token);
                timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            }
            catch (OperationCanceledException)
            {
                var end = stopping.IsCancellationRequested ? LmtpSessionEnd.Shutdown : LmtpSessionEnd.Timeout;
                output.Write(end == LmtpSessionEnd.Shutdown ? replies.ShuttingDown : replies.Timeout);
                await FlushQuietlyAsync(output);
                return end;
            }

            var (rest, close) = await ExecuteBatchAsync(context, result.Buffer, closed);
            if (close is { } closing)
            {
                await FlushQuietlyAsync(output);
                return closing;
            }

            // Not cut by a shutdown: the replies of commands that ran (a delivery's 250) still go out.
            input.AdvanceTo(rest.Start, rest.End);
            if (output.UnflushedBytes > 0 && (await output.FlushAsync(closed)).IsCompleted)
            {
                return LmtpSessionEnd.Dropped;
            }

            if (result.IsCompleted)
            {
                return LmtpSessionEnd.Dropped;
            }
        }
    }

    public ValueTask DisposeAsync() => _message.DisposeAsync();

    /// <summary>Executes everything complete in <paramref name="buffer"/>; returns what is left, and how the session ends if it does.</summary>
    private async ValueTask<(ReadOnlySequence<byte> Remaining, LmtpSessionEnd? End)> ExecuteBatchAsync(
        LmtpSessionContext context, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (context.Receiving)
            {
                var (ended, rest) = await _message.ReceiveAsync(buffer, cancellationToken);
                buffer = rest;
                if (!ended)
                {
                    return (buffer, null);
                }

                await LmtpMessageDelivery.FinishAsync(context, cancellationToken);
                continue;
            }

            var frame = LmtpLineFramer.TryRead(ref buffer, ref _discarding, out var line);
            if (frame == LmtpFrame.Incomplete)
            {
                return (buffer, null);
            }

            var result = frame == LmtpFrame.TooLong
                ? LineTooLong(context)
                : await ExecuteAsync(context, line, cancellationToken);
            if (Apply(context, result) is { } end)
            {
                return (buffer, end);
            }
        }
    }

    private ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, in ReadOnlySequence<byte> line, CancellationToken cancellationToken)
    {
        var length = (int)line.Length;
        line.CopyTo(_line);
        var command = LmtpCommandParser.Parse(_line.AsSpan(0, length), out var arguments);
        return LmtpCommandTable.Find(command).ExecuteAsync(context, _line.AsMemory(length - arguments.Length, arguments.Length), cancellationToken);
    }

    private static LmtpCommandResult LineTooLong(LmtpSessionContext context)
    {
        context.Write(LmtpReplies.LineTooLong);
        return LmtpCommandResult.Error;
    }

    /// <summary>The one place a result changes the session: the error count, and whether it ends.</summary>
    private LmtpSessionEnd? Apply(LmtpSessionContext context, LmtpCommandResult result)
    {
        switch (result)
        {
            case LmtpCommandResult.Quit:
                return LmtpSessionEnd.Quit;
            case LmtpCommandResult.Error when ++_errors >= options.MaxErrors:
                context.Write(replies.TooManyErrors);
                return LmtpSessionEnd.TooManyErrors;
            case LmtpCommandResult.Error:
                return null;
            default:
                _errors = 0;
                return null;
        }
    }

    private static async ValueTask FlushQuietlyAsync(PipeWriter output)
    {
        try
        {
            await output.FlushAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone; it hears nothing more.
        }
    }
}
