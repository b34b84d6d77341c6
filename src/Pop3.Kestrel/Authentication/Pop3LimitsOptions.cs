namespace Pop3.Kestrel.Authentication;

/// <summary>Connection limits: configuration section <c>Pop3:Limits</c>. Zero means no limit.</summary>
public sealed class Pop3LimitsOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Limits";

    /// <summary>Connections open at once, in all. Default 1000.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>Connections open at once from one client address. Default 50.</summary>
    public int MaxConnectionsPerIp { get; set; } = 50;

    /// <summary>
    /// Logged-in sessions of one user from one client address (Dovecot's <c>mail_max_userip_connections</c>);
    /// the login that would exceed it gets <c>-ERR [IN-USE]</c>. Default 10.
    /// </summary>
    public int MaxConnectionsPerUserIp { get; set; } = 10;
}
