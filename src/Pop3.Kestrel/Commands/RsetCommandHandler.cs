using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>RSET (RFC 1939 §5): unmarks every message marked as deleted.</summary>
internal sealed class RsetCommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Rset;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!arguments.IsEmpty)
        {
            context.Write(Pop3Replies.NoArguments);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        var maildrop = context.Maildrop!;
        maildrop.Reset();
        Pop3Replies.WriteOk(context.Output, maildrop.Count, maildrop.Size);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
