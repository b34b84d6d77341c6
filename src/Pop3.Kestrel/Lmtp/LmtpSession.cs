using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// One LMTP conversation (RFC 2033) over a duplex pipe: every complete command in the buffer is executed in order and
/// the replies flushed together (PIPELINING), message data is dot-unstuffed as it arrives into a bounded spool, and
/// after the final dot each accepted recipient gets its own copy and its own reply, 250 only once the store says the
/// copy is durable. Knows nothing of Kestrel.
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
    private readonly LmtpSpool _spool = new(options.SpoolMemoryLimit);
    private readonly List<Recipient> _recipients = [];
    private readonly byte[] _line = new byte[LmtpLineFramer.MaxLineLength];
    private readonly byte[] _scratch = new byte[16 * 1024];
    private LmtpDataDecoder _decoder;
    private bool _discarding;
    private bool _greeted;
    private bool _hasSender;
    private bool _receiving;
    private long _size;
    private int _errors;
    private int _messages;
    private int _delivered;
    private int _refused;

    private readonly record struct Recipient(string Mailbox, string Address);

    private enum Step
    {
        Continue,
        Close,
        LookUp,
    }

    /// <summary>Greets, then serves commands until QUIT, the client leaving, a timeout or <paramref name="stopping"/>.</summary>
    public async Task<LmtpSessionEnd> RunAsync(IDuplexPipe transport, CancellationToken stopping)
    {
        var input = transport.Input;
        var output = transport.Output;
        output.Write(replies.Greeting);
        if ((await output.FlushAsync(stopping)).IsCompleted)
        {
            return LmtpSessionEnd.Dropped;
        }

        // One timer for the whole session, re-armed for each read; a shutdown fires it too.
        using var timeout = new CancellationTokenSource(System.Threading.Timeout.InfiniteTimeSpan, time);
        using var shutdown = stopping.Register(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                timeout.CancelAfter(options.CommandTimeout);
                result = await input.ReadAsync(timeout.Token);
                timeout.CancelAfter(System.Threading.Timeout.InfiniteTimeSpan);
            }
            catch (OperationCanceledException)
            {
                var end = stopping.IsCancellationRequested ? LmtpSessionEnd.Shutdown : LmtpSessionEnd.Timeout;
                output.Write(end == LmtpSessionEnd.Shutdown ? replies.ShuttingDown : replies.Timeout);
                await FlushQuietlyAsync(output);
                return end;
            }

            var (rest, close) = await ProcessAsync(result.Buffer, output, stopping);
            if (close is { } closed)
            {
                await FlushQuietlyAsync(output);
                return closed;
            }

            input.AdvanceTo(rest.Start, rest.End);
            if (output.UnflushedBytes > 0 && (await output.FlushAsync(stopping)).IsCompleted)
            {
                return LmtpSessionEnd.Dropped;
            }

            if (result.IsCompleted)
            {
                return LmtpSessionEnd.Dropped;
            }
        }
    }

    /// <summary>Executes everything complete in <paramref name="buffer"/>; returns what is left, and how the session ends if it does.</summary>
    private async ValueTask<(ReadOnlySequence<byte> Remaining, LmtpSessionEnd? End)> ProcessAsync(ReadOnlySequence<byte> buffer, PipeWriter output, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_receiving)
            {
                var (ended, rest) = await ReceiveAsync(buffer, cancellationToken);
                buffer = rest;
                if (!ended)
                {
                    return (buffer, null);
                }

                await FinishMessageAsync(output, cancellationToken);
                continue;
            }

            var frame = LmtpLineFramer.TryRead(ref buffer, ref _discarding, out var line);
            if (frame == LmtpFrame.Incomplete)
            {
                return (buffer, null);
            }

            Step step;
            string? user = null, address = null;
            if (frame == LmtpFrame.TooLong)
            {
                step = Refuse(output, LmtpReplies.LineTooLong);
            }
            else
            {
                line.CopyTo(_line);
                step = Execute(_line.AsSpan(0, (int)line.Length), output, out user, out address);
            }

            if (step == Step.Close)
            {
                return (buffer, _errors >= options.MaxErrors ? LmtpSessionEnd.TooManyErrors : LmtpSessionEnd.Quit);
            }

            if (step == Step.LookUp)
            {
                await AddRecipientAsync(user!, address!, output, cancellationToken);
            }
        }
    }

    private Step Execute(ReadOnlySpan<byte> line, PipeWriter output, out string? user, out string? address)
    {
        user = address = null;
        var command = LmtpCommandParser.Parse(line, out var arguments);
        switch (command)
        {
            case LmtpCommand.Lhlo:
                if (arguments.Trim((byte)' ').IsEmpty)
                {
                    return Refuse(output, LmtpReplies.LhloSyntax);
                }

                ResetTransaction();
                _greeted = true;
                return Accept(output, replies.Lhlo);

            case LmtpCommand.Mail:
                return Mail(arguments, output);

            case LmtpCommand.Rcpt:
                return Rcpt(arguments, output, out user, out address);

            case LmtpCommand.Data:
                if (!arguments.IsEmpty)
                {
                    return Refuse(output, LmtpReplies.NoArguments);
                }

                if (!_hasSender)
                {
                    return Refuse(output, _greeted ? LmtpReplies.MailFirst : LmtpReplies.LhloFirst);
                }

                if (_recipients.Count == 0)
                {
                    // RFC 2033 §4.2: DATA without a successful RCPT is refused with 503.
                    return Refuse(output, LmtpReplies.NoRecipients);
                }

                _receiving = true;
                _decoder.Reset();
                _size = 0;
                _messages++;
                return Accept(output, LmtpReplies.StartData);

            case LmtpCommand.Rset:
                if (!arguments.IsEmpty)
                {
                    return Refuse(output, LmtpReplies.NoArguments);
                }

                ResetTransaction();
                return Accept(output, LmtpReplies.Ok);

            case LmtpCommand.Noop:
                return Accept(output, LmtpReplies.Ok);

            case LmtpCommand.Vrfy:
                return Accept(output, LmtpReplies.Vrfy);

            case LmtpCommand.Quit:
                output.Write(replies.Closing);
                return Step.Close;

            case LmtpCommand.Helo:
                return Refuse(output, LmtpReplies.UseLhlo);

            case LmtpCommand.NotImplemented:
                return Refuse(output, LmtpReplies.NotImplemented);

            default:
                return Refuse(output, LmtpReplies.Unrecognized);
        }
    }

    private Step Mail(ReadOnlySpan<byte> arguments, PipeWriter output)
    {
        if (!_greeted)
        {
            return Refuse(output, LmtpReplies.LhloFirst);
        }

        if (_hasSender)
        {
            return Refuse(output, LmtpReplies.NestedMail);
        }

        if (!LmtpCommandParser.TrySplitPath(arguments, "FROM:"u8, out var path, out var parameters))
        {
            return Refuse(output, LmtpReplies.MailSyntax);
        }

        // The null reverse-path <> is how bounces arrive.
        if (!path.IsEmpty && !LmtpCommandParser.TrySplitMailbox(path, out _, out _))
        {
            return Refuse(output, LmtpReplies.BadSender);
        }

        switch (LmtpCommandParser.ParseMailParameters(parameters, out var declaredSize))
        {
            case LmtpCommandParser.MailParameters.Malformed:
                return Refuse(output, LmtpReplies.MailSyntax);
            case LmtpCommandParser.MailParameters.Unsupported:
                return Refuse(output, LmtpReplies.UnsupportedParameter);
        }

        if (declaredSize > options.MaxMessageSize)
        {
            // RFC 1870 §6.1: refused at once, before any data is sent.
            logger.TooBig(declaredSize, options.MaxMessageSize);
            return Accept(output, LmtpReplies.TooBig);
        }

        _hasSender = true;
        return Accept(output, LmtpReplies.SenderOk);
    }

    private Step Rcpt(ReadOnlySpan<byte> arguments, PipeWriter output, out string? user, out string? address)
    {
        user = address = null;
        if (!_hasSender)
        {
            return Refuse(output, _greeted ? LmtpReplies.MailFirst : LmtpReplies.LhloFirst);
        }

        if (!LmtpCommandParser.TrySplitPath(arguments, "TO:"u8, out var path, out var parameters))
        {
            return Refuse(output, LmtpReplies.RcptSyntax);
        }

        if (!parameters.IsEmpty)
        {
            return Refuse(output, LmtpReplies.UnsupportedParameter);
        }

        if (!LmtpCommandParser.TrySplitMailbox(path, out var localPart, out var domain))
        {
            return Refuse(output, LmtpReplies.BadRecipient);
        }

        if (_recipients.Count >= options.MaxRecipients)
        {
            metrics?.RecipientRefused("too_many");
            return Accept(output, LmtpReplies.TooManyRecipients);
        }

        user = LmtpCommandParser.UserOf(localPart, domain, options.RecipientMapping);
        address = Encoding.UTF8.GetString(path);
        return Step.LookUp;
    }

    private async ValueTask AddRecipientAsync(string user, string address, PipeWriter output, CancellationToken cancellationToken)
    {
        string? mailbox;
        try
        {
            mailbox = await users.FindMailboxAsync(user, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LookupFailed(address, e);
            metrics?.RecipientRefused("lookup_failed");
            Accept(output, LmtpReplies.LookupFailed);
            return;
        }

        if (mailbox is null)
        {
            logger.UnknownRecipient(address, user);
            metrics?.RecipientRefused("unknown_user");
            _refused++;
            Accept(output, LmtpReplies.NoSuchUser);
            return;
        }

        _recipients.Add(new Recipient(mailbox, address));
        Accept(output, LmtpReplies.RecipientOk);
    }

    /// <summary>Unstuffs message data into the spool; true once the final dot was seen.</summary>
    private async ValueTask<(bool Ended, ReadOnlySequence<byte> Remaining)> ReceiveAsync(ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
    {
        while (!buffer.IsEmpty)
        {
            var segment = buffer.First;
            var room = _scratch.Length - 1;
            var chunk = segment.Length > room ? segment[..room] : segment;
            var ended = _decoder.Decode(chunk.Span, _scratch, out var consumed, out var written);
            buffer = buffer.Slice(consumed);
            if (written > 0)
            {
                await StoreAsync(written, cancellationToken);
            }

            if (ended)
            {
                return (true, buffer);
            }
        }

        return (false, buffer);
    }

    private async ValueTask StoreAsync(int written, CancellationToken cancellationToken)
    {
        var wasTooBig = _size > options.MaxMessageSize;
        _size += written;
        if (_size > options.MaxMessageSize)
        {
            // Read to the final dot but keep nothing: the message will be refused.
            if (!wasTooBig)
            {
                await _spool.ResetAsync();
            }

            return;
        }

        await _spool.WriteAsync(_scratch.AsMemory(0, written), cancellationToken);
    }

    /// <summary>After the final dot: one reply per accepted recipient, in RCPT order (RFC 2033 §4.2).</summary>
    private async ValueTask FinishMessageAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        _receiving = false;
        if (_size > options.MaxMessageSize)
        {
            logger.TooBig(_size, options.MaxMessageSize);
            foreach (var _ in _recipients)
            {
                metrics?.NotDelivered("too_big");
                output.Write(LmtpReplies.TooBig);
            }
        }
        else
        {
            foreach (var recipient in _recipients)
            {
                await DeliverAsync(recipient, output, cancellationToken);
            }
        }

        ResetTransaction();
        await _spool.ResetAsync();
    }

    private async ValueTask DeliverAsync(Recipient recipient, PipeWriter output, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        try
        {
            var message = await _spool.RewindAsync(cancellationToken);
            await delivery.DeliverAsync(recipient.Mailbox, message, cancellationToken);
        }
        catch (Pop3DeliveryException e)
        {
            logger.DeliveryFailed(recipient.Mailbox, e.Failure, e.Message);
            metrics?.NotDelivered(LmtpMetrics.ResultOf(e.Failure));
            output.Write(e.Failure switch
            {
                Pop3DeliveryFailure.InsufficientStorage => LmtpReplies.InsufficientStorage,
                Pop3DeliveryFailure.MailboxUnavailable => LmtpReplies.MailboxUnavailable,
                _ => LmtpReplies.TemporaryFailure,
            });
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.DeliveryCrashed(recipient.Mailbox, e);
            metrics?.NotDelivered("temporary_failure");
            output.Write(LmtpReplies.TemporaryFailure);
            return;
        }

        var elapsed = time.GetElapsedTime(started);
        _delivered++;
        metrics?.Delivered(_size, elapsed);
        logger.Delivered(_size, recipient.Mailbox, recipient.Address, (long)elapsed.TotalMilliseconds);
        output.Write(LmtpReplies.DeliveredStart);
        WriteAddress(output, recipient.Address);
        output.Write(LmtpReplies.DeliveredEnd);
    }

    private static void WriteAddress(PipeWriter output, string address)
    {
        // Came from a command line of at most 512 octets, so it fits one span.
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(address.Length));
        output.Advance(Encoding.UTF8.GetBytes(address, span));
    }

    private void ResetTransaction()
    {
        _hasSender = false;
        _recipients.Clear();
    }

    private Step Accept(PipeWriter output, ReadOnlySpan<byte> reply)
    {
        _errors = 0;
        output.Write(reply);
        return Step.Continue;
    }

    private Step Refuse(PipeWriter output, ReadOnlySpan<byte> reply)
    {
        output.Write(reply);
        if (++_errors < options.MaxErrors)
        {
            return Step.Continue;
        }

        output.Write(replies.TooManyErrors);
        return Step.Close;
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

    /// <summary>What the session did, for its summary line.</summary>
    public (int Messages, int Delivered, int Refused) Counts => (_messages, _delivered, _refused);

    public ValueTask DisposeAsync() => _spool.DisposeAsync();
}
