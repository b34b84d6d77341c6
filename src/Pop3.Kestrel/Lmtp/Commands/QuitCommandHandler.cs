namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>QUIT (RFC 5321 §4.1.1.10): 221, and the session ends.</summary>
internal sealed class QuitCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        context.Write(context.Replies.Closing);
        return ValueTask.FromResult(LmtpCommandResult.Quit);
    }
}
