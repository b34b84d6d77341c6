namespace Pop3.Kestrel.Authentication;

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
