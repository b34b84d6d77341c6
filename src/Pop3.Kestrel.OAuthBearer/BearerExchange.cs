using System.Text;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.OAuthBearer;

/// <summary>Reads a bearer mechanism's client message: the user it names, if any, and the token; false if it is malformed.</summary>
internal delegate bool BearerParser(string message, out string? user, out string token);

/// <summary>The exchange both bearer mechanisms share: one message, validated; on failure one error challenge.</summary>
internal sealed class BearerExchange(Pop3SessionContext context, BearerTokenValidator validator, BearerParser parse, Func<byte[]> error) : IPop3SaslExchange
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public async ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken)
    {
        if (response is not { } message)
        {
            return Pop3SaslStep.Challenge(ReadOnlyMemory<byte>.Empty);
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(message.Span);
        }
        catch (DecoderFallbackException)
        {
            return Pop3SaslStep.Malformed;
        }

        if (!parse(text, out var claimed, out var token))
        {
            return Pop3SaslStep.Malformed;
        }

        if (!await context.MayCheckCredentialsAsync(claimed, cancellationToken))
        {
            return Pop3SaslStep.Failure(claimed);
        }

        var user = await validator.ValidateAsync(token, cancellationToken);
        if (user is null || (claimed is not null && !string.Equals(claimed, user, StringComparison.OrdinalIgnoreCase)))
        {
            return Pop3SaslStep.Failure(claimed, error());
        }

        return Pop3SaslStep.Success(user, user);
    }

    /// <summary>"Bearer" (any case), one or more spaces, the token.</summary>
    internal static bool TryGetBearer(string value, out string token)
    {
        token = "";
        if (value.Length < 8 || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        token = value[7..].Trim(' ');
        return token.Length > 0;
    }
}
