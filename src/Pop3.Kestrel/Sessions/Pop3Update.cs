using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// What QUIT leads to (RFC 1939 §4, §6): in AUTHORIZATION a goodbye; in UPDATE, which the session entered from
/// TRANSACTION, the deletions committed, the maildrop released, then the reply. The only place messages are ever removed.
/// </summary>
internal sealed class Pop3Update(ILogger<Pop3Update> logger)
{
    public async ValueTask QuitAsync(Pop3SessionContext context)
    {
        if (context.State != Pop3SessionState.Update || context.Maildrop is not { } maildrop)
        {
            context.Write(Pop3Replies.Quit);
            return;
        }

        if (maildrop.DeletedCount == 0)
        {
            await maildrop.ReleaseAsync();
            context.Write(Pop3Replies.Quit);
            return;
        }

        // Deleting touches the store (files, a database): off a socket event thread first.
        await new Pop3ThreadPoolHop();
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
            return;
        }

        context.Counters.DeletionsCommitted(maildrop.DeletedCount, maildrop.MarkedSize());
        await maildrop.ReleaseAsync();
        context.Write(Pop3Replies.QuitCommitted);
    }
}
