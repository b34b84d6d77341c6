namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>
/// A verb this server answers with a fixed refusal, counted as the client's error: HELO and EHLO (LMTP greets with
/// LHLO), SMTP verbs it does not offer (502), and anything it does not know (500).
/// </summary>
internal sealed class RefusingCommandHandler(byte[] reply) : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        context.Write(reply);
        return ValueTask.FromResult(LmtpCommandResult.Error);
    }
}
