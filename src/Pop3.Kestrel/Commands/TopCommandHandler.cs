using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>TOP msg n (RFC 1939 §7): the header section, the blank line and the first n body lines.</summary>
internal sealed class TopCommandHandler(Pop3MessageSender sender) : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Top;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var rest = arguments.Span;
        var message = Pop3CommandParser.NextArgument(ref rest);
        var lines = Pop3CommandParser.NextArgument(ref rest);
        if (message.IsEmpty || lines.IsEmpty || !rest.IsEmpty)
        {
            context.Write(Pop3Replies.TopSyntax);
            return Pop3CommandResult.Failed;
        }

        if (!context.TryGetMessage(message, out var number))
        {
            return Pop3CommandResult.Failed;
        }

        if (!Pop3CommandParser.TryParseNumber(lines, out var bodyLines))
        {
            context.Write(Pop3Replies.InvalidLineCount);
            return Pop3CommandResult.Failed;
        }

        var result = await sender.SendAsync(context, number, bodyLines, size: -1, cancellationToken);
        if (result == Pop3CommandResult.Completed)
        {
            context.Counters.TopSent();
        }

        return result;
    }
}
