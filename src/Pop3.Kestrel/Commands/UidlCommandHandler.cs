using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>UIDL [msg] (RFC 1939 §7): unique ids of the messages not marked as deleted.</summary>
internal sealed class UidlCommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Uidl;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var maildrop = context.Maildrop!;
        if (!arguments.IsEmpty)
        {
            if (!context.TryGetMessage(arguments.Span, out var number))
            {
                return Pop3CommandResult.Failed;
            }

            context.WriteUid(number, maildrop.UidOf(number), ok: true);
            return Pop3CommandResult.Completed;
        }

        context.Write(Pop3Replies.UidlHeader);
        for (var number = 1; number <= maildrop.Highest; number++)
        {
            if (!maildrop.IsDeleted(number))
            {
                context.WriteUid(number, maildrop.UidOf(number), ok: false);
                if (!await context.FlushIfFullAsync(cancellationToken))
                {
                    return Pop3CommandResult.Close;
                }
            }
        }

        context.Write(Pop3Replies.Terminator);
        return Pop3CommandResult.Completed;
    }
}
