using System.Text;
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

/// <summary>Turns user names and passwords from the wire into strings: ASCII, or UTF-8 after the UTF8 command (RFC 6856).</summary>
internal static class Pop3Text
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>False for control characters, for non-ASCII before UTF8, and for invalid UTF-8.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, bool utf8, out string text)
    {
        text = "";
        foreach (var b in bytes)
        {
            if (b < 0x20 || b == 0x7F || (b >= 0x80 && !utf8))
            {
                return false;
            }
        }

        try
        {
            text = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
