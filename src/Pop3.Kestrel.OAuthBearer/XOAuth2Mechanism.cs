using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.OAuthBearer;

/// <summary>
/// XOAUTH2 (Google's and Microsoft's): <c>user=name ^A auth=Bearer token ^A ^A</c>. The user must be the token's.
/// On failure the server sends a JSON error as a challenge and the client answers with an empty line.
/// </summary>
internal sealed class XOAuth2Mechanism(BearerTokenValidator validator) : IPop3SaslMechanism
{
    public string Name => "XOAUTH2";

    public bool SendsPlaintext => true;

    public bool IsAvailable => validator.IsConfigured;

    public IPop3SaslExchange Start(Pop3SessionContext context) => new BearerExchange(context, validator, Parse, validator.XOAuth2Error);

    internal static bool Parse(string message, out string? user, out string token)
    {
        user = null;
        token = "";
        if (!message.EndsWith("\u0001\u0001", StringComparison.Ordinal))
        {
            return false;
        }

        var found = false;
        foreach (var pair in message[..^2].Split('\u0001'))
        {
            if (pair.StartsWith("user=", StringComparison.Ordinal))
            {
                user = pair[5..].Length > 0 ? pair[5..] : null;
            }
            else if (pair.StartsWith("auth=", StringComparison.Ordinal))
            {
                found = BearerExchange.TryGetBearer(pair[5..], out token);
            }
        }

        return found;
    }
}
