using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>DELE msg (RFC 1939 §5): marks a message; nothing is removed before QUIT.</summary>
internal sealed class DeleCommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Dele;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!context.TryGetMessage(arguments.Span, out var number))
        {
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        context.Maildrop!.MarkDeleted(number);
        context.Write(Pop3Replies.Marked);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
