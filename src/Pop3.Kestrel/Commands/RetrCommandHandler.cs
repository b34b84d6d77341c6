using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>RETR msg (RFC 1939 §5): the whole message, dot-stuffed.</summary>
internal sealed class RetrCommandHandler(Pop3MessageSender sender) : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Retr;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!context.TryGetMessage(arguments.Span, out var number))
        {
            return Pop3CommandResult.Failed;
        }

        var size = context.Maildrop!.SizeOf(number);
        var result = await sender.SendAsync(context, number, bodyLines: -1, size, cancellationToken);
        if (result == Pop3CommandResult.Completed)
        {
            context.Counters.MessageRetrieved(size);
            context.Maildrop.Retrieved(number);
        }

        return result;
    }
}
