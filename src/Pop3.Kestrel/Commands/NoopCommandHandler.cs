using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>NOOP (RFC 1939 §5).</summary>
internal sealed class NoopCommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Noop;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!arguments.IsEmpty)
        {
            context.Write(Pop3Replies.NoArguments);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        context.Write(Pop3Replies.Ok);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
