using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// A SASL mechanism for AUTH (RFC 5034). Registered as a singleton <see cref="IPop3SaslMechanism"/>; the built-in
/// ones are PLAIN and LOGIN (need <see cref="IPop3Authenticator"/>), CRAM-MD5 (needs an
/// <see cref="IPop3SecretProvider"/> with plaintext passwords or HMAC-MD5 contexts), SCRAM-SHA-256 (needs one with
/// SCRAM keys), OAUTHBEARER and XOAUTH2 (need <c>Pop3:Authentication:OAuth</c>).
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

/// <summary>One run of a SASL mechanism: the server's side of the challenge/response exchange.</summary>
public interface IPop3SaslExchange
{
    /// <summary>
    /// Takes the client's next response, decoded from base64: the initial response on the first call, or null on
    /// the first call when AUTH came without one. <paramref name="response"/> is valid only during the call.
    /// </summary>
    ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken);
}

/// <summary>What a step of a SASL exchange came to.</summary>
public enum Pop3SaslOutcome
{
    /// <summary>Send <see cref="Pop3SaslStep.Data"/> as a challenge and wait for the next response.</summary>
    Challenge,

    /// <summary>Authenticated; <see cref="Pop3SaslStep.Data"/>, if any, is the server's additional data with success.</summary>
    Succeeded,

    /// <summary>Bad credentials; <see cref="Pop3SaslStep.Data"/>, if any, is error data sent as a last challenge (RFC 7628).</summary>
    Failed,

    /// <summary>The response does not follow the mechanism's syntax.</summary>
    Malformed,

    /// <summary>The user store could not be asked.</summary>
    TemporaryFailure,
}

/// <summary>The result of <see cref="IPop3SaslExchange.StepAsync"/>.</summary>
/// <param name="Outcome">What happens next.</param>
/// <param name="Data">A challenge, additional data with success, or error data, unencoded.</param>
/// <param name="User">The authenticated user (on success), or the claimed one (on failure, for Debug logs only).</param>
/// <param name="Mailbox">On success, the mailbox to open.</param>
public readonly record struct Pop3SaslStep(Pop3SaslOutcome Outcome, ReadOnlyMemory<byte> Data = default, string? User = null, string? Mailbox = null)
{
    /// <summary>Sends <paramref name="challenge"/> and waits for the next response.</summary>
    public static Pop3SaslStep Challenge(ReadOnlyMemory<byte> challenge) => new(Pop3SaslOutcome.Challenge, challenge);

    /// <summary>Logs <paramref name="user"/> in to <paramref name="mailbox"/>, after sending <paramref name="additionalData"/> if any.</summary>
    public static Pop3SaslStep Success(string user, string mailbox, ReadOnlyMemory<byte> additionalData = default) =>
        new(Pop3SaslOutcome.Succeeded, additionalData, user, mailbox);

    /// <summary>Fails with <c>-ERR [AUTH]</c> after the failure delay, after sending <paramref name="errorData"/> if any.</summary>
    public static Pop3SaslStep Failure(string? claimedUser = null, ReadOnlyMemory<byte> errorData = default) =>
        new(Pop3SaslOutcome.Failed, errorData, claimedUser);

    /// <summary>The response was not understood.</summary>
    public static Pop3SaslStep Malformed => new(Pop3SaslOutcome.Malformed);

    /// <summary>Try again later: <c>-ERR [SYS/TEMP]</c>.</summary>
    public static Pop3SaslStep TemporaryFailure => new(Pop3SaslOutcome.TemporaryFailure);
}
