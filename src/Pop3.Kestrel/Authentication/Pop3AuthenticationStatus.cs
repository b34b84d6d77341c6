namespace Pop3.Kestrel.Authentication;

/// <summary>What an authenticator decided; Failed first, so that a default <see cref="Pop3AuthenticationResult"/> lets no one in.</summary>
internal enum Pop3AuthenticationStatus
{
    /// <summary>Unknown user or wrong password: <c>-ERR [AUTH]</c>.</summary>
    Failed,

    /// <summary>The credentials are good.</summary>
    Succeeded,

    /// <summary>The user store could not be asked: <c>-ERR [SYS/TEMP]</c>.</summary>
    TemporaryFailure,
}
