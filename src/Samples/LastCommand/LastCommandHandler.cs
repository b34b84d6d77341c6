using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace LastCommand;

/// <summary>
/// LAST (RFC 1725 §5): <c>+OK n</c>, the highest message number retrieved in this session, 0 if none; RSET sets it
/// back to 0. A singleton, like every handler: the per-session number lives in the session's maildrop.
/// </summary>
public sealed class LastCommandHandler : IPop3CommandHandler
{
    /// <inheritdoc />
    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!arguments.IsEmpty)
        {
            context.Write(Pop3Replies.NoArguments);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        // The session only runs LAST after login (its registration says so), so the maildrop is open.
        Pop3Replies.WriteLine(context.Output, "+OK "u8, context.Maildrop!.HighestRetrieved, "\r\n"u8);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
