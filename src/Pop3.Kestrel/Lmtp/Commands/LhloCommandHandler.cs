namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>LHLO domain (RFC 2033 §4.1): starts the conversation afresh and lists the extensions.</summary>
internal sealed class LhloCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (arguments.Span.Trim((byte)' ').IsEmpty)
        {
            context.Write(LmtpReplies.LhloSyntax);
            return ValueTask.FromResult(LmtpCommandResult.Error);
        }

        context.Greet();
        context.Write(context.Replies.Lhlo);
        return ValueTask.FromResult(LmtpCommandResult.Done);
    }
}
