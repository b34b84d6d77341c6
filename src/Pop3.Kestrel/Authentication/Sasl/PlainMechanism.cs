using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// PLAIN (RFC 4616): <c>[authzid] NUL authcid NUL passwd</c>, each field at most 255 octets of UTF-8. The password is
/// checked by <see cref="IPop3Authenticator"/>. An authorization identity other than the authentication identity is
/// refused (no master users).
/// </summary>
internal sealed class PlainMechanism(IPop3Authenticator authenticator) : IPop3SaslMechanism
{
    public string Name => "PLAIN";

    public bool SendsPlaintext => true;

    public bool IsAvailable => true;

    public IPop3SaslExchange Start(Pop3SessionContext context) => new Exchange(authenticator, context.Connection);

    private sealed class Exchange(IPop3Authenticator authenticator, Pop3ConnectionInfo connection) : IPop3SaslExchange
    {
        public async ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken)
        {
            if (response is not { } message)
            {
                return Pop3SaslStep.Challenge(ReadOnlyMemory<byte>.Empty);
            }

            if (!TryParse(message.Span, out var authzid, out var authcid, out var password))
            {
                return Pop3SaslStep.Malformed;
            }

            if (authzid.Length > 0 && !string.Equals(authzid, authcid, StringComparison.Ordinal))
            {
                return Pop3SaslStep.Failure(authcid);
            }

            var result = await authenticator.AuthenticateAsync(authcid, password, connection, cancellationToken);
            return result.Status switch
            {
                Pop3AuthenticationStatus.Succeeded => Pop3SaslStep.Success(authcid, result.Mailbox ?? authcid),
                Pop3AuthenticationStatus.TemporaryFailure => Pop3SaslStep.TemporaryFailure,
                _ => Pop3SaslStep.Failure(authcid),
            };
        }
    }

    internal static bool TryParse(ReadOnlySpan<byte> message, out string authzid, out string authcid, out string password)
    {
        authzid = authcid = password = "";
        var first = message.IndexOf((byte)0);
        if (first < 0)
        {
            return false;
        }

        var rest = message[(first + 1)..];
        var second = rest.IndexOf((byte)0);
        if (second < 0)
        {
            return false;
        }

        var zid = message[..first];
        return (zid.IsEmpty || Pop3SaslText.TryDecodeField(zid, out authzid))
            && Pop3SaslText.TryDecodeField(rest[..second], out authcid)
            && Pop3SaslText.TryDecodeField(rest[(second + 1)..], out password);
    }
}
