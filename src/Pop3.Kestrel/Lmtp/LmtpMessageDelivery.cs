using System.IO.Pipelines;
using System.Text;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// What follows the final dot (RFC 2033 §4.2): one reply per accepted recipient, in RCPT order, each after that
/// recipient's own copy was stored; 250 only once the store says the copy is durable.
/// </summary>
internal static class LmtpMessageDelivery
{
    public static async ValueTask FinishAsync(LmtpSessionContext context, CancellationToken cancellationToken)
    {
        context.EndMessage();
        var message = context.Message;
        if (message.TooBig)
        {
            context.Logger.TooBig(message.Size, context.Options.MaxMessageSize);
            foreach (var _ in context.Recipients)
            {
                context.Metrics?.NotDelivered("too_big");
                context.Write(LmtpReplies.TooBig);
            }
        }
        else
        {
            foreach (var recipient in context.Recipients)
            {
                await DeliverAsync(context, recipient, cancellationToken);
            }
        }

        context.ResetTransaction();
        await message.ResetAsync();
    }

    private static async ValueTask DeliverAsync(LmtpSessionContext context, LmtpRecipient recipient, CancellationToken cancellationToken)
    {
        var started = context.Time.GetTimestamp();
        try
        {
            var message = await context.Message.RewindAsync(cancellationToken);
            await context.Delivery.DeliverAsync(recipient.Mailbox, message, cancellationToken);
        }
        catch (Pop3DeliveryException e)
        {
            context.Logger.DeliveryFailed(recipient.Mailbox, e.Failure, e.Message);
            context.Metrics?.NotDelivered(LmtpMetrics.ResultOf(e.Failure));
            context.Write(e.Failure switch
            {
                Pop3DeliveryFailure.InsufficientStorage => LmtpReplies.InsufficientStorage,
                Pop3DeliveryFailure.MailboxUnavailable => LmtpReplies.MailboxUnavailable,
                _ => LmtpReplies.TemporaryFailure,
            });
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Logger.DeliveryCrashed(recipient.Mailbox, e);
            context.Metrics?.NotDelivered("temporary_failure");
            context.Write(LmtpReplies.TemporaryFailure);
            return;
        }

        var elapsed = context.Time.GetElapsedTime(started);
        var size = context.Message.Size;
        context.CopyDelivered();
        context.Metrics?.Delivered(size, elapsed);
        context.Logger.Delivered(size, recipient.Mailbox, recipient.Address, (long)elapsed.TotalMilliseconds);
        context.Write(LmtpReplies.DeliveredStart);
        WriteAddress(context.Output, recipient.Address);
        context.Write(LmtpReplies.DeliveredEnd);
    }

    private static void WriteAddress(PipeWriter output, string address)
    {
        // Came from a command line of at most 512 octets, so it fits one span.
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(address.Length));
        output.Advance(Encoding.UTF8.GetBytes(address, span));
    }
}
