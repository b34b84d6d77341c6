using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>CAPA (RFC 2449 §5).</summary>
internal sealed class CapaCommandHandler(Pop3Capabilities capabilities) : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Capa;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!arguments.IsEmpty)
        {
            context.Write(Pop3Replies.NoArguments);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        capabilities.Write(context);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
