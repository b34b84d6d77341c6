using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>
/// USER name (RFC 1939 §7). Always <c>+OK</c>, so the reply never tells which users exist; where the plaintext
/// policy forbids passwords on this connection, always <c>-ERR [AUTH]</c> saying TLS is required.
/// </summary>
internal sealed class UserCommandHandler(IOptions<Pop3AuthenticationOptions> options) : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.User;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!options.Value.AllowsPlaintext(context.Connection))
        {
            context.SetPendingUser(null);
            context.Write(Pop3Replies.PlaintextRequiresTls);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        var name = arguments.Span;
        if (!Pop3Text.TryDecode(name, context.Utf8Enabled, out var user) || user.Length == 0 || user.Contains(' '))
        {
            context.SetPendingUser(null);
            context.Write(Pop3Replies.UserSyntax);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        context.SetPendingUser(user);
        context.Write(Pop3Replies.UserOk);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
