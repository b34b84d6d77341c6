namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>RSET (RFC 5321 §4.1.1.5): forgets the sender and the recipients; LHLO still holds.</summary>
internal sealed class RsetCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!arguments.IsEmpty)
        {
            context.Write(LmtpReplies.NoArguments);
            return ValueTask.FromResult(LmtpCommandResult.Error);
        }

        context.ResetTransaction();
        context.Write(LmtpReplies.Ok);
        return ValueTask.FromResult(LmtpCommandResult.Done);
    }
}
