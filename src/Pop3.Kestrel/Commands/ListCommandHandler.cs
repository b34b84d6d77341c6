using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>LIST [msg] (RFC 1939 §5): sizes of the messages not marked as deleted.</summary>
internal sealed class ListCommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.List;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var maildrop = context.Maildrop!;
        if (!arguments.IsEmpty)
        {
            if (!context.TryGetMessage(arguments.Span, out var number))
            {
                return Pop3CommandResult.Failed;
            }

            context.WriteOk(number, maildrop.SizeOf(number));
            return Pop3CommandResult.Completed;
        }

        context.Write(Pop3Replies.ListHeader);
        for (var number = 1; number <= maildrop.Highest; number++)
        {
            if (!maildrop.IsDeleted(number))
            {
                context.WritePair(number, maildrop.SizeOf(number));
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
