namespace Pop3.Kestrel.Authentication;

/// <summary>What a step of a SASL exchange came to.</summary>
internal enum Pop3SaslOutcome
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
