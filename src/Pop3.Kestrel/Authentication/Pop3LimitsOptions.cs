namespace Pop3.Kestrel.Authentication;

/// <summary>Connection limits: configuration section <c>Pop3:Limits</c>. Zero means no limit.</summary>
internal sealed class Pop3LimitsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Limits";

    /// <summary>Connections open at once, in all. Default 1000.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>
    /// Unauthenticated connections open at once from one client address; past it the address's oldest
    /// unauthenticated connection is closed to admit the new one. Logged-in sessions do not count (a NAT with
    /// hundreds of users is normal). Default 50.
    /// </summary>
    public int MaxConnectionsPerIp { get; set; } = 50;

    /// <summary>
    /// Connections open at once that have not authenticated yet, below <see cref="MaxConnections"/> (a larger value is
    /// held to it). When it, or <see cref="MaxConnections"/>, is reached the oldest unauthenticated connection is closed
    /// to admit the new one; a logged-in session is never closed for this. Default (unset): half of
    /// <see cref="MaxConnections"/>; 0: no cap of its own.
    /// </summary>
    public int? MaxUnauthenticatedConnections { get; set; }

    /// <summary>
    /// The pre-login timeout when the unauthenticated pool is full: from half full it falls in a straight line from
    /// <c>Pop3:AuthorizationTimeout</c> down to this. Default 10 s.
    /// </summary>
    public TimeSpan MinAuthorizationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Logged-in sessions of one user from one client address (Dovecot's <c>mail_max_userip_connections</c>);
    /// the login that would exceed it gets <c>-ERR [IN-USE]</c>. Default 10.
    /// </summary>
    public int MaxConnectionsPerUserIp { get; set; } = 10;
}
