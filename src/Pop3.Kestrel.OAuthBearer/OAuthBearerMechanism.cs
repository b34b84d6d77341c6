using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.OAuthBearer;

/// <summary>
/// OAUTHBEARER (RFC 7628): <c>gs2-header ^A auth=Bearer token ^A ^A</c>, with optional <c>host=</c> and
/// <c>port=</c>. An authorization identity, if given, must name the token's user. On failure the server sends the
/// RFC 7628 error JSON as a challenge, the client answers <c>^A</c>, and the reply is <c>-ERR [AUTH]</c>.
/// </summary>
internal sealed class OAuthBearerMechanism(BearerTokenValidator validator) : IPop3SaslMechanism
{
    public string Name => "OAUTHBEARER";

    public bool SendsPlaintext => true;

    public bool IsAvailable => validator.IsConfigured;

    public IPop3SaslExchange Start(Pop3SessionContext context) => new BearerExchange(context, validator, Parse, validator.OAuthBearerError);

    /// <summary>Splits the client message into the claimed user (may be null) and the token.</summary>
    internal static bool Parse(string message, out string? user, out string token)
    {
        user = null;
        token = "";
        if (!(message.StartsWith("n,", StringComparison.Ordinal) || message.StartsWith("y,", StringComparison.Ordinal))
            || !message.EndsWith("\u0001\u0001", StringComparison.Ordinal))
        {
            return false;
        }

        var headerEnd = message.IndexOf(',', 2);
        if (headerEnd < 0 || headerEnd + 1 >= message.Length || message[headerEnd + 1] != '\u0001')
        {
            return false;
        }

        var authzid = message[2..headerEnd];
        if (authzid.Length > 0)
        {
            if (!authzid.StartsWith("a=", StringComparison.Ordinal) || !TryDecodeSaslName(authzid[2..], out var name))
            {
                return false;
            }

            user = name;
        }

        foreach (var pair in message[(headerEnd + 2)..^2].Split('\u0001'))
        {
            if (pair.StartsWith("auth=", StringComparison.Ordinal))
            {
                return BearerExchange.TryGetBearer(pair[5..], out token);
            }
        }

        return false;
    }

    /// <summary>saslname (RFC 5801 §4): "=2C" is ',' and "=3D" is '='; any other '=' is an error.</summary>
    private static bool TryDecodeSaslName(string value, out string name)
    {
        name = "";
        for (var at = value.IndexOf('=', StringComparison.Ordinal); at >= 0; at = value.IndexOf('=', at + 1))
        {
            if (!value.AsSpan(at + 1).StartsWith("2C", StringComparison.Ordinal) && !value.AsSpan(at + 1).StartsWith("3D", StringComparison.Ordinal))
            {
                return false;
            }
        }

        // "=2C" first: decoding "=3D" first would turn "=3D2C" (a '=' then "2C") into ','.
        name = value.Replace("=2C", ",", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal);
        return true;
    }
}
