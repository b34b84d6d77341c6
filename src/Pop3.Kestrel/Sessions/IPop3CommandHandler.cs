using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Executes one POP3 verb. Handlers are singletons resolved from DI (the last one registered for a verb
/// wins, so an application can replace a built-in one); per-session state lives in the context.
/// The session has already checked that the verb is allowed in the current state.
/// </summary>
public interface IPop3CommandHandler
{
    /// <summary>The verb this handler executes.</summary>
    Pop3Command Command { get; }

    /// <summary>
    /// Executes the command and writes its whole reply to <see cref="Pop3SessionContext.Output"/>.
    /// <paramref name="arguments"/> is everything after the keyword and its space, valid until the method completes.
    /// Protocol errors are <c>-ERR</c> replies and <see cref="Pop3CommandResult.Failed"/>, never exceptions.
    /// </summary>
    ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken);
}
