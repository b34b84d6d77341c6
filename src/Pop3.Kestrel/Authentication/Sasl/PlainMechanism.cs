using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// PLAIN (RFC 4616): <c>[authzid] NUL authcid NUL passwd</c>, each field at most 255 octets of UTF-8. The password is
/// checked by <see cref="IPop3Authenticator"/>. An authorization identity other than the authentication identity is
/// refused unless an <see cref="IPop3MasterUserPolicy"/> allows it, and then only after the password was right.
/// </summary>
internal sealed class PlainMechanism(IPop3Authenticator authenticator, Pop3SecretSource secrets, IPop3MasterUserPolicy? masters = null) : IPop3SaslMechanism
{
    private IPop3Authenticator Authenticator => authenticator;

    private Pop3SecretSource Secrets => secrets;

    private IPop3MasterUserPolicy? Masters => masters;

    public string Name => "PLAIN";

    public bool SendsPlaintext => true;

    public bool IsAvailable => true;

    public IPop3SaslExchange Start(Pop3SessionContext context) => new Exchange(this, context);

    private sealed class Exchange(PlainMechanism mechanism, Pop3SessionContext context) : IPop3SaslExchange
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

            var asOther = authzid.Length > 0 && !string.Equals(authzid, authcid, StringComparison.Ordinal);
            if (asOther && mechanism.Masters is null)
            {
                return Pop3SaslStep.Failure(authcid);
            }

            if (!await context.MayCheckCredentialsAsync(authcid, cancellationToken))
            {
                return Pop3SaslStep.Failure(authcid);
            }

            var connection = context.Connection;
            var result = await mechanism.Authenticator.AuthenticateAsync(authcid, password, connection, cancellationToken);
            switch (result.Status)
            {
                case Pop3AuthenticationStatus.Succeeded when !asOther:
                    // Kept for a backend that logs in elsewhere with it (only when one registered the holder), as PASS does.
                    // Not for a master login: that password is the master's, not the mailbox owner's.
                    context.Services.GetService<Pop3LoginCredentials>()?.Set(authcid, password);
                    return Pop3SaslStep.Success(authcid, result.Mailbox ?? authcid);
                case Pop3AuthenticationStatus.Succeeded when await mechanism.Masters!.MayLogInAsAsync(authcid, authzid, connection, cancellationToken):
                    return Pop3SaslStep.Success(authzid, mechanism.Secrets.Provider?.GetMailbox(authzid) ?? authzid);
                case Pop3AuthenticationStatus.TemporaryFailure:
                    return Pop3SaslStep.TemporaryFailure;
                default:
                    return Pop3SaslStep.Failure(authcid);
            }
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
