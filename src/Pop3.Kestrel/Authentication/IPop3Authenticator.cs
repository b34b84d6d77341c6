namespace Pop3.Kestrel.Authentication;

/// <summary>Checks a user name and password (USER/PASS, and SASL PLAIN and LOGIN).</summary>
public interface IPop3Authenticator
{
    /// <summary>
    /// Checks <paramref name="password"/> for <paramref name="user"/>. The answer for an unknown user must
    /// look exactly like the answer for a wrong password.
    /// </summary>
    ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken);
}

/// <summary>What an authenticator decided.</summary>
public enum Pop3AuthenticationStatus
{
    /// <summary>The credentials are good.</summary>
    Succeeded,

    /// <summary>Unknown user or wrong password: <c>-ERR [AUTH]</c>.</summary>
    Failed,

    /// <summary>The user store could not be asked: <c>-ERR [SYS/TEMP]</c>.</summary>
    TemporaryFailure,
}

/// <summary>The answer of an <see cref="IPop3Authenticator"/>.</summary>
/// <param name="Status">Succeeded, failed or temporarily unavailable.</param>
/// <param name="Mailbox">On success, the mailbox to open (defaults to the user name).</param>
public readonly record struct Pop3AuthenticationResult(Pop3AuthenticationStatus Status, string? Mailbox = null)
{
    /// <summary>The credentials are right: the session opens <paramref name="mailbox"/>, the canonical name of the user's mailbox.</summary>
    public static Pop3AuthenticationResult Success(string mailbox) => new(Pop3AuthenticationStatus.Succeeded, mailbox);

    /// <summary>The credentials are wrong (or the user is unknown): <c>-ERR [AUTH]</c> after the failure delay.</summary>
    public static Pop3AuthenticationResult Failure => new(Pop3AuthenticationStatus.Failed);

    /// <summary>The user store could not be asked: <c>-ERR [SYS/TEMP]</c>, not counted as a wrong guess.</summary>
    public static Pop3AuthenticationResult TemporaryFailure => new(Pop3AuthenticationStatus.TemporaryFailure);
}
