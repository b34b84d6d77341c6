using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>STAT (RFC 1939 §5): messages not marked as deleted and their total size.</summary>
internal sealed class StatCommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Stat;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!arguments.IsEmpty)
        {
            context.Write(Pop3Replies.NoArguments);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        Pop3Replies.WriteOk(context.Output, context.Maildrop!.Count, context.Maildrop.Size);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
