namespace Pop3.Kestrel.Authentication;

/// <summary>Why a login attempt ended without a login.</summary>
internal enum Pop3LoginFailure
{
    /// <summary>Wrong credentials (or an unknown user, which looks the same): <c>-ERR [AUTH]</c> after the failure delay.</summary>
    Credentials,

    /// <summary>The client sent <c>*</c>.</summary>
    Cancelled,

    /// <summary>A SASL response was not base64.</summary>
    BadBase64,

    /// <summary>A SASL response did not follow the mechanism's syntax.</summary>
    Malformed,
}
