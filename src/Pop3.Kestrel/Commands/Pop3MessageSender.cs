using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>Sends one message for RETR or TOP: the status line, then the message through the one dot-stuffing writer.</summary>
internal sealed class Pop3MessageSender(ILogger<Pop3MessageSender> logger)
{
    /// <summary>The largest message read on a socket event thread: one chunk of the message writer.</summary>
    internal const int InlineMessageSize = 64 * 1024;

    /// <summary>Sends message <paramref name="number"/>; <paramref name="size"/> is announced in the status line when not negative.</summary>
    public async ValueTask<Pop3CommandResult> SendAsync(Pop3SessionContext context, int number, int bodyLines, long size, CancellationToken cancellationToken)
    {
        // A message of one chunk is one open and one read (page-cache fast, a few microseconds): it is sent from
        // whatever thread the session is on, as a thread-pool hand-off would cost more than the read. A larger
        // one means many reads and flushes, so it moves off a socket event thread first.
        if (context.Maildrop!.SizeOf(number) > InlineMessageSize)
        {
            await new Pop3ThreadPoolHop();
        }

        Stream message;
        try
        {
            message = await context.Maildrop!.OpenAsync(number, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            logger.MessageUnreadable(e, number);
            context.Write(Pop3Replies.MessageRead);
            return Pop3CommandResult.Failed;
        }

        await using (message)
        {
            if (size >= 0)
            {
                Pop3Replies.WriteLine(context.Output, "+OK "u8, size, " octets\r\n"u8);
            }
            else
            {
                context.Write(Pop3Replies.TopHeader);
            }

            // A RETR is tracked while it is sent, so the session can tell how far a transfer cut short got.
            var transfer = size >= 0 ? new Pop3MessageTransfer(message, number, size) : null;
            context.Counters.Transfer = transfer;
            try
            {
                if (await Pop3MessageWriter.WriteAsync(transfer ?? message, context.Output, bodyLines, cancellationToken))
                {
                    context.Counters.Transfer = null;
                    return Pop3CommandResult.Completed;
                }

                return Pop3CommandResult.Close;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The status line may already be on the wire: the only honest end is to close.
                logger.MessageUnreadable(e, number);
                return Pop3CommandResult.Close;
            }
        }
    }
}
