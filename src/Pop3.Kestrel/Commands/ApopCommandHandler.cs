using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>
/// APOP name digest (RFC 1939 §7): digest is hex(MD5(timestamp + password)) for the timestamp of this connection's
/// greeting, compared in constant time. Offered when <c>Pop3:Authentication:Apop</c> is true and the
/// <see cref="IPop3SecretProvider"/> has plaintext passwords. An unknown user's digest is checked against a random
/// secret, so the reply and the work are those of a wrong password.
/// </summary>
internal sealed class ApopCommandHandler(Pop3SecretSource secrets, Pop3LoginGuard guard) : IPop3CommandHandler
{
    private readonly string _standIn = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));

    public Pop3Command Command => Pop3Command.Apop;

    // The secret lookup and opening the maildrop.
    public bool MayBlock => true;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var timestamp = context.Services.GetRequiredService<Pop3LoginState>().ApopTimestamp;
        if (timestamp is null || secrets.Provider is not { } provider)
        {
            context.Write(Pop3Replies.ApopUnavailable);
            return Pop3CommandResult.Failed;
        }

        var span = arguments.Span;
        var space = span.LastIndexOf((byte)' ');
        if (space <= 0 || span.Length - space - 1 != 32
            || !Pop3Text.TryDecode(span[..space], context.Utf8Enabled, out var user) || user.Contains(' '))
        {
            context.Write(Pop3Replies.ApopSyntax);
            return Pop3CommandResult.Failed;
        }

        var given = new byte[32];
        for (var i = 0; i < 32; i++)
        {
            var c = span[space + 1 + i];
            if (!char.IsAsciiHexDigit((char)c))
            {
                context.Write(Pop3Replies.ApopSyntax);
                return Pop3CommandResult.Failed;
            }

            given[i] = (byte)(c | 0x20);
        }

        if (!await guard.BeginGuessAsync(context, user, cancellationToken))
        {
            return await guard.FailAsync(context, Pop3LoginFailure.Credentials, "APOP", user, cancellationToken);
        }

        var known = provider.TryGetPlaintextSecret(user, out var secret);
        var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(timestamp + (known ? secret : _standIn)))));
        if (CryptographicOperations.FixedTimeEquals(expected, given) && known)
        {
            return await context.CompleteLoginAsync(user, provider.GetMailbox(user), cancellationToken);
        }

        return await guard.FailAsync(context, Pop3LoginFailure.Credentials, "APOP", user, cancellationToken);
    }
}
