using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Logging;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>
/// QUIT (RFC 1939 §4, §6). In TRANSACTION it enters UPDATE and commits the deletions; this is the only
/// place messages are ever removed.
/// </summary>
internal sealed class QuitCommandHandler(ILogger<QuitCommandHandler> logger) : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Quit;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (context.State != Pop3SessionState.Transaction || context.Maildrop is not { } maildrop)
        {
            context.Write(Pop3Replies.Quit);
            return Pop3CommandResult.Close;
        }

        context.State = Pop3SessionState.Update;
        if (maildrop.DeletedCount == 0)
        {
            await maildrop.ReleaseAsync();
            context.Write(Pop3Replies.Quit);
            return Pop3CommandResult.Close;
        }

        try
        {
            // A commit that has started finishes even if the client goes away meanwhile.
            await maildrop.CommitAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.CommitFailed(e, maildrop.DeletedCount);
            await maildrop.ReleaseAsync();
            context.Write(Pop3Replies.CommitFailed);
            return Pop3CommandResult.Close;
        }

        context.DeletedAtUpdate = maildrop.DeletedCount;
        context.DeletedBytesAtUpdate = maildrop.MarkedSize();
        await maildrop.ReleaseAsync();
        context.Write(Pop3Replies.QuitCommitted);
        return Pop3CommandResult.Close;
    }
}
