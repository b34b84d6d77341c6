namespace Pop3.Kestrel.Hosting;

/// <summary>
/// The HAProxy PROXY protocol (v1 text and v2 binary), for listeners with <c>ProxyProtocol: true</c>:
/// <c>Pop3:ProxyProtocol</c>.
/// </summary>
public sealed class Pop3ProxyProtocolOptions
{
    /// <summary>
    /// The proxies' networks in CIDR form (<c>10.0.0.0/8</c>, <c>2001:db8::/32</c>; a bare address is one host).
    /// A connection from anywhere else to a PROXY-protocol listener is closed. Required when any listener
    /// enables the protocol.
    /// </summary>
    public List<string> TrustedNetworks { get; set; } = [];

    /// <summary>How long a proxy may take to send the header (default 5 s).</summary>
    public TimeSpan HeaderTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
