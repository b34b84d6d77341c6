using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>
/// LIST and UIDL share their shape (RFC 1939 §5, §7): with a message number, one <c>+OK</c> line for it;
/// without, a multi-line listing of every message not marked as deleted.
/// </summary>
internal abstract class ListingCommandHandler : IPop3CommandHandler
{
    public abstract Pop3Command Command { get; }

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var maildrop = context.Maildrop!;
        if (!arguments.IsEmpty)
        {
            if (!context.TryGetMessage(arguments.Span, out var number))
            {
                return Pop3CommandResult.Failed;
            }

            WriteEntry(context, maildrop, number, ok: true);
            return Pop3CommandResult.Completed;
        }

        WriteHeader(context);
        for (var number = 1; number <= maildrop.Highest; number++)
        {
            if (maildrop.IsDeleted(number))
            {
                continue;
            }

            WriteEntry(context, maildrop, number, ok: false);
            if (!await context.FlushIfFullAsync(cancellationToken))
            {
                return Pop3CommandResult.Close;
            }
        }

        context.Write(Pop3Replies.Terminator);
        return Pop3CommandResult.Completed;
    }

    /// <summary>The <c>+OK</c> line that opens the listing.</summary>
    protected abstract void WriteHeader(Pop3SessionContext context);

    /// <summary>One message's line, with <c>+OK </c> in front when it is the whole reply.</summary>
    protected abstract void WriteEntry(Pop3SessionContext context, Pop3Maildrop maildrop, int number, bool ok);
}
