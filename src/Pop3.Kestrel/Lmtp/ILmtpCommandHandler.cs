namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// Executes one LMTP verb: writes its whole reply to <see cref="LmtpSessionContext.Output"/> and says how it went.
/// Handlers keep no state of their own; the transaction lives in the context.
/// </summary>
internal interface ILmtpCommandHandler
{
    /// <summary>
    /// Executes the verb with <paramref name="arguments"/> (everything after the verb and its space, valid until the
    /// method completes). <paramref name="cancellationToken"/> fires when the connection is gone, not when the host
    /// starts stopping: a command in progress then finishes and the client hears its reply.
    /// </summary>
    ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken);
}
