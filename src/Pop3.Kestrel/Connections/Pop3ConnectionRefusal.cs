namespace Pop3.Kestrel.Connections;

/// <summary>Why a connection was refused.</summary>
internal enum Pop3ConnectionRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>
    /// <see cref="Authentication.Pop3LimitsOptions.MaxConnections"/> reached and every place held by an authenticated
    /// session (an unauthenticated one would have been evicted instead).
    /// </summary>
    TooManyConnections,

    /// <summary>
    /// <see cref="Authentication.Pop3LimitsOptions.MaxConnectionsPerIp"/> reached. The gate now evicts the address's oldest
    /// unauthenticated connection instead of refusing, so it no longer gives this reason.
    /// </summary>
    TooManyFromAddress,

    /// <summary>The address is banned after too many failed logins.</summary>
    Banned,
}
