namespace Pop3.Kestrel.Upstream;

/// <summary>What an <see cref="UpstreamCredential"/> holds.</summary>
internal enum UpstreamCredentialKind
{
    /// <summary>A password for the upstream login (<see cref="UpstreamCredential.Password"/>).</summary>
    Password,

    /// <summary>A SASL mechanism to authenticate with (<see cref="UpstreamCredential.Mechanism"/>).</summary>
    Sasl,

    /// <summary>No login for this user: the client gets <c>-ERR [AUTH]</c> and <see cref="UpstreamCredential.Message"/>.</summary>
    Refused,

    /// <summary>No login now (a token service down): the client gets <c>-ERR [SYS/TEMP]</c> and <see cref="UpstreamCredential.Message"/>.</summary>
    Unavailable,
}
