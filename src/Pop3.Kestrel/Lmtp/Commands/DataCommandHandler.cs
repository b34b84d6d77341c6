namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>
/// DATA (RFC 5321 §4.1.1.4, RFC 2033 §4.2): after a sender and at least one accepted recipient, 354; the session then
/// feeds what follows to the message, and <see cref="LmtpMessageDelivery"/> answers once per recipient after the final dot.
/// </summary>
internal sealed class DataCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var refusal = !arguments.IsEmpty ? LmtpReplies.NoArguments
            : !context.HasSender ? (context.Greeted ? LmtpReplies.MailFirst : LmtpReplies.LhloFirst)
            // RFC 2033 §4.2: DATA without a successful RCPT is refused with 503.
            : context.Recipients.Count == 0 ? LmtpReplies.NoRecipients
            : [];
        if (!refusal.IsEmpty)
        {
            context.Write(refusal);
            return ValueTask.FromResult(LmtpCommandResult.Error);
        }

        context.StartMessage();
        context.Write(LmtpReplies.StartData);
        return ValueTask.FromResult(LmtpCommandResult.Done);
    }
}
