using System.Globalization;
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
            context.Write("-ERR This command takes no arguments\r\n"u8);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        // The session only runs LAST after login (its registration says so), so the maildrop is open.
        context.WriteAscii(string.Create(CultureInfo.InvariantCulture, $"+OK {context.Maildrop!.HighestRetrieved}"));
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
