using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>PASS string (RFC 1939 §7). The password is everything after "PASS ", spaces included.</summary>
internal sealed class PassCommandHandler(IPop3Authenticator authenticator, Pop3LoginGuard guard, IOptions<Pop3AuthenticationOptions> options) : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Pass;

    // Password hashing and opening the maildrop.
    public bool MayBlock => true;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!options.Value.AllowsPlaintext(context.Connection))
        {
            context.SetPendingUser(null);
            context.Write(Pop3Replies.PlaintextRequiresTls);
            return Pop3CommandResult.Failed;
        }

        if (context.PendingUser is not { } user)
        {
            context.Write(Pop3Replies.PassWithoutUser);
            return Pop3CommandResult.Failed;
        }

        context.SetPendingUser(null);
        if (!Pop3Text.TryDecode(arguments.Span, context.Utf8Enabled, out var password) || password.Length == 0)
        {
            context.Write(Pop3Replies.PassSyntax);
            return Pop3CommandResult.Failed;
        }

        if (!await guard.BeginGuessAsync(context, user, cancellationToken))
        {
            return await guard.FailAsync(context, Pop3LoginFailure.Credentials, "USER/PASS", user, cancellationToken);
        }

        var result = await authenticator.AuthenticateAsync(user, password, context.Connection, cancellationToken);
        switch (result.Status)
        {
            case Pop3AuthenticationStatus.Succeeded:
                return await context.CompleteLoginAsync(user, result.Mailbox ?? user, password, cancellationToken);
            case Pop3AuthenticationStatus.TemporaryFailure:
                guard.GuessNotDecided(context);
                context.Write(Pop3Replies.AuthTemporaryFailure);
                return Pop3CommandResult.Failed;
            default:
                return await guard.FailAsync(context, Pop3LoginFailure.Credentials, "USER/PASS", user, cancellationToken);
        }
    }
}
