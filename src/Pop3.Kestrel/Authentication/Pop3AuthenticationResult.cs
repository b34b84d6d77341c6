namespace Pop3.Kestrel.Authentication;

/// <summary>The answer of an <see cref="IPop3Authenticator"/>.</summary>
/// <param name="Status">Succeeded, failed or temporarily unavailable.</param>
/// <param name="Mailbox">On success, the mailbox to open (defaults to the user name).</param>
public readonly record struct Pop3AuthenticationResult(Pop3AuthenticationStatus Status, string? Mailbox = null)
{
    /// <summary>The credentials are good; <paramref name="mailbox"/> is the mailbox to open.</summary>
    public static Pop3AuthenticationResult Success(string mailbox) => new(Pop3AuthenticationStatus.Succeeded, mailbox);

    /// <summary>Unknown user or wrong password (the client sees <c>-ERR [AUTH]</c>).</summary>
    public static Pop3AuthenticationResult Failure => new(Pop3AuthenticationStatus.Failed);

    /// <summary>The user store could not be asked (the client sees <c>-ERR [SYS/TEMP]</c>).</summary>
    public static Pop3AuthenticationResult TemporaryFailure => new(Pop3AuthenticationStatus.TemporaryFailure);
}
