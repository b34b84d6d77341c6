namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The answer of an <see cref="IPop3Authenticator"/>: <see cref="Success"/>, <see cref="Failure"/> or
/// <see cref="TemporaryFailure"/>. A default value is a failure, so an authenticator that forgets to answer lets no one in.
/// </summary>
public readonly record struct Pop3AuthenticationResult
{
    private Pop3AuthenticationResult(Pop3AuthenticationStatus status, string? mailbox)
    {
        Status = status;
        Mailbox = mailbox;
    }

    /// <summary>On success, the mailbox to open (null: the user name).</summary>
    public string? Mailbox { get; }

    /// <summary>True if the credentials are good.</summary>
    public bool Succeeded => Status == Pop3AuthenticationStatus.Succeeded;

    /// <summary>True if the user store could not be asked, so the client should try again later.</summary>
    public bool IsTemporaryFailure => Status == Pop3AuthenticationStatus.TemporaryFailure;

    internal Pop3AuthenticationStatus Status { get; }

    /// <summary>The credentials are good; <paramref name="mailbox"/> is the mailbox to open.</summary>
    public static Pop3AuthenticationResult Success(string mailbox) => new(Pop3AuthenticationStatus.Succeeded, mailbox);

    /// <summary>Unknown user or wrong password (the client sees <c>-ERR [AUTH]</c>).</summary>
    public static Pop3AuthenticationResult Failure => new(Pop3AuthenticationStatus.Failed, null);

    /// <summary>The user store could not be asked (the client sees <c>-ERR [SYS/TEMP]</c>).</summary>
    public static Pop3AuthenticationResult TemporaryFailure => new(Pop3AuthenticationStatus.TemporaryFailure, null);
}
