namespace Pop3.Kestrel.Connections;

/// <summary>Why the gate closed an unauthenticated connection to admit a newer one.</summary>
internal enum Pop3EvictionReason : byte
{
    /// <summary>Not evicted.</summary>
    None,

    /// <summary>The unauthenticated pool was full (<c>Pop3:Limits:MaxUnauthenticatedConnections</c>).</summary>
    TooManyUnauthenticated,

    /// <summary>The address had <c>Pop3:Limits:MaxConnectionsPerIp</c> unauthenticated connections.</summary>
    TooManyFromAddress,

    /// <summary><c>Pop3:Limits:MaxConnections</c> was reached.</summary>
    TooManyConnections,

    /// <summary>Unauthenticated for longer than the pre-login timeout as shortened under pressure.</summary>
    PreLoginTimeout,
}
