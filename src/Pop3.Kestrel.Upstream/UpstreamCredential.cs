using MailKit.Security;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// What the gateway presents upstream for one login, from an <see cref="IUpstreamCredentialSource"/>: a password, a
/// MailKit SASL mechanism (e.g. <see cref="SaslMechanismOAuth2"/> or <see cref="SaslMechanismOAuthBearer"/> built from
/// an access token), or a failure the client sees as <c>-ERR [AUTH]</c> or <c>-ERR [SYS/TEMP]</c> with its message.
/// </summary>
public sealed class UpstreamCredential
{
    private UpstreamCredential(UpstreamCredentialKind kind, string? password, SaslMechanism? mechanism, string? message)
    {
        Kind = kind;
        Password = password;
        Mechanism = mechanism;
        Message = message;
    }

    /// <summary>What this credential holds.</summary>
    internal UpstreamCredentialKind Kind { get; }

    /// <summary>The password, for <see cref="UpstreamCredentialKind.Password"/>.</summary>
    internal string? Password { get; }

    /// <summary>The mechanism, for <see cref="UpstreamCredentialKind.Sasl"/>. Used for one authentication only.</summary>
    internal SaslMechanism? Mechanism { get; }

    /// <summary>The text the client reads after <c>-ERR [AUTH]</c> or <c>-ERR [SYS/TEMP]</c>, for a failure.</summary>
    internal string? Message { get; }

    /// <summary>Log in upstream as <see cref="UpstreamLogin.UpstreamUser"/> with <paramref name="password"/>.</summary>
    public static UpstreamCredential FromPassword(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return new(UpstreamCredentialKind.Password, password, null, null);
    }

    /// <summary>Authenticate upstream with <paramref name="mechanism"/>, which carries its own user name and secret.</summary>
    public static UpstreamCredential FromSasl(SaslMechanism mechanism)
    {
        ArgumentNullException.ThrowIfNull(mechanism);
        return new(UpstreamCredentialKind.Sasl, null, mechanism, null);
    }

    /// <summary>
    /// No upstream login for this user (e.g. "the mailbox must be re-connected"): the client gets
    /// <c>-ERR [AUTH] </c><paramref name="message"/>. One line of printable ASCII; no secrets.
    /// </summary>
    public static UpstreamCredential Refused(string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new(UpstreamCredentialKind.Refused, null, null, message);
    }

    /// <summary>
    /// No upstream login now, try later (e.g. the token endpoint cannot be reached): the client gets
    /// <c>-ERR [SYS/TEMP] </c><paramref name="message"/>. One line of printable ASCII; no secrets.
    /// </summary>
    public static UpstreamCredential Unavailable(string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        return new(UpstreamCredentialKind.Unavailable, null, null, message);
    }

    /// <summary>The kind only: a credential never shows its secret.</summary>
    public override string ToString() => $"UpstreamCredential {{ Kind = {Kind} }}";
}
