using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Executes one POP3 verb. Handlers are singletons resolved from DI; per-session state lives in the context. A handler
/// either replaces a built-in verb (<see cref="Command"/>, registered with <c>AddCommandHandler&lt;T&gt;()</c>) or adds a
/// verb of its own (registered with <c>AddCommand&lt;T&gt;(verb, states, capability)</c>). The session has already
/// checked that the verb is allowed in the current state, and applies the returned result.
/// </summary>
public interface IPop3CommandHandler
{
    /// <summary>The built-in verb this handler executes; <see cref="Pop3Command.Unknown"/> for a verb of its own.</summary>
    Pop3Command Command => Pop3Command.Unknown;

    /// <summary>
    /// True if the handler may hold its thread (password hashing, opening a maildrop, a remote call): the session then
    /// moves it off a socket event thread first. Handlers that work on the session's snapshot in memory leave it false.
    /// Read once, when the command table is built.
    /// </summary>
    bool MayBlock => false;

    /// <summary>
    /// Executes the command and writes its whole reply to <see cref="Pop3SessionContext.Output"/>.
    /// <paramref name="arguments"/> is everything after the keyword and its space, valid until the method completes.
    /// <paramref name="cancellationToken"/> fires when the connection is gone (the client left, or the host aborted it after the drain).
    /// Protocol errors are <c>-ERR</c> replies and <see cref="Pop3CommandResult.Failed"/>, never exceptions.
    /// </summary>
    ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken);
}
