namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>NOOP [string] (RFC 5321 §4.1.1.9): 250, whatever the argument.</summary>
internal sealed class NoopCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        context.Write(LmtpReplies.Ok);
        return ValueTask.FromResult(LmtpCommandResult.Done);
    }
}
