using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>
/// QUIT (RFC 1939 §4, §6): says so, and nothing else. The session applies it: from TRANSACTION it enters UPDATE and
/// commits the deletions (<see cref="Pop3Update"/>), then replies and closes.
/// </summary>
internal sealed class QuitCommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Quit;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Pop3CommandResult.Quit);
}
