using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// A SASL mechanism for AUTH (RFC 5034). Registered as a singleton <see cref="IPop3SaslMechanism"/>; the built-in
/// ones are PLAIN and LOGIN (need <see cref="IPop3Authenticator"/>), CRAM-MD5 (needs an
/// <see cref="IPop3SecretProvider"/> with plaintext passwords or HMAC-MD5 contexts), SCRAM-SHA-256 (needs one with
/// SCRAM keys), EXTERNAL (a client certificate); OAUTHBEARER and XOAUTH2 come with <c>AddOAuthBearer()</c> (package
/// Pop3.Kestrel.OAuthBearer). An exchange asks <see cref="Pop3SessionContext.MayCheckCredentialsAsync"/> before it
/// checks a password, digest, proof or token, so that the guessing defences count it as every built-in one does.
/// </summary>
public interface IPop3SaslMechanism
{
    /// <summary>The mechanism's name in upper case, e.g. <c>SCRAM-SHA-256</c>.</summary>
    string Name { get; }

    /// <summary>
    /// True if the client sends something that can be replayed (a password, a bearer token): the plaintext policy
    /// (<see cref="Pop3AuthenticationOptions.AllowPlaintext"/>) then decides whether it is offered on a connection.
    /// </summary>
    bool SendsPlaintext { get; }

    /// <summary>True if the server can serve this mechanism now (the authenticator can supply what it needs).</summary>
    bool IsAvailable { get; }

    /// <summary>Begins one exchange on <paramref name="context"/>'s session.</summary>
    IPop3SaslExchange Start(Pop3SessionContext context);
}
