namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>VRFY (RFC 5321 §3.5.3): 252, which says neither yes nor no, so the listener reveals no user names.</summary>
internal sealed class VrfyCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        context.Write(LmtpReplies.Vrfy);
        return ValueTask.FromResult(LmtpCommandResult.Done);
    }
}
