using System.ComponentModel.DataAnnotations;

namespace Pop3.Kestrel.Hosting;

/// <summary>The server's settings, bound from the <c>Pop3</c> configuration section.</summary>
public sealed class Pop3ServerOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3";

    /// <summary>Listeners by name, e.g. <c>Pop3:Endpoints:Default:Port</c>. None configured means one on port 110 of every address.</summary>
    public Dictionary<string, Pop3EndpointOptions> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The text after <c>+OK </c> in the greeting. With <c>+OK </c> and CRLF it is at most 512 octets (RFC 2449 §4).</summary>
    public string Greeting { get; set; } = "Pop3.Kestrel ready";

    /// <summary>The inactivity timeout (RFC 1939 §3: at least 10 minutes). On expiry the connection closes without UPDATE.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The longest a connection may stay unauthenticated, counted from its start and not extended by traffic
    /// (default 60 s). It closes slow-loris clients that trickle bytes without ever logging in; after login
    /// only <see cref="CommandTimeout"/> applies.
    /// </summary>
    public TimeSpan AuthorizationTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After this many consecutive erroneous commands the server says so and closes the connection.</summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>
    /// The LOGIN-DELAY capability (RFC 2449 §6.5), in seconds: <c>0</c> (the default) announces nothing.
    /// A registered <see cref="Sessions.IPop3UserPolicy"/> can set it per user.
    /// </summary>
    public int LoginDelay { get; set; }

    /// <summary>The EXPIRE capability (RFC 2449 §6.7): <c>NEVER</c> (the default: this server never expires mail) or a number of days.</summary>
    public string Expire { get; set; } = "NEVER";

    /// <summary>The IMPLEMENTATION capability's text; empty announces nothing.</summary>
    public string Implementation { get; set; } = "Pop3.Kestrel";

    /// <summary>Announce IMPLEMENTATION before login too (off by default: it tells attackers what they are talking to).</summary>
    public bool ShowImplementationBeforeLogin { get; set; }

    /// <summary>The default certificate for implicit TLS and STLS (<c>Pop3:Certificate</c>).</summary>
    public Pop3CertificateOptions Certificate { get; set; } = new();

    /// <summary>
    /// Where the server keeps files it creates itself, such as the development certificate
    /// (<c>Pop3:DataPath</c>, default <c>data</c>).
    /// </summary>
    public string DataPath { get; set; } = "data";

    /// <summary>The longest a TLS handshake may take (implicit TLS and STLS) before the connection is closed.</summary>
    public TimeSpan TlsHandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The oldest TLS version a client may use, implicit TLS and STLS alike (<c>Pop3:TlsMinimumVersion</c>): <c>1.2</c>
    /// (the default), <c>1.3</c>, or, for old clients only and with a warning at start-up, <c>1.1</c> or <c>1.0</c>;
    /// Dovecot's <c>TLSv1.2</c> spelling is accepted too. Like Dovecot's <c>ssl_min_protocol</c>.
    /// </summary>
    public string TlsMinimumVersion { get; set; } = "1.2";

    /// <summary>
    /// On shutdown, how long sessions busy with a command (a RETR being sent, a QUIT committing) may take to
    /// finish before they are aborted, still without UPDATE (<c>Pop3:DrainTimeout</c>, default 30 s; it becomes
    /// the host's <c>ShutdownTimeout</c>). Idle sessions are told <c>-ERR [SYS/TEMP]</c> and closed at once.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where HAProxy PROXY protocol headers are accepted from (<c>Pop3:ProxyProtocol</c>).</summary>
    public Pop3ProxyProtocolOptions ProxyProtocol { get; set; } = new();
}

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

/// <summary>TLS on a listener: none (STLS may still upgrade), or implicit TLS from the first byte (RFC 8314, port 995).</summary>
public enum Pop3TlsMode
{
    /// <summary>Plain TCP; STLS upgrades it when a certificate is configured.</summary>
    None,

    /// <summary>TLS from the first byte (RFC 8314), as on port 995.</summary>
    Implicit,
}

/// <summary>
/// A certificate, in the shape Kestrel users know: PEM certificate and key files, or a PFX file with its
/// password. Reloaded when the files change.
/// </summary>
public sealed class Pop3CertificateOptions
{
    /// <summary>The PEM certificate (chain) or the PFX/PKCS#12 file.</summary>
    public string? Path { get; set; }

    /// <summary>The PEM private key; empty when <see cref="Path"/> is a PFX or a PEM holding the key too.</summary>
    public string? KeyPath { get; set; }

    /// <summary>The PFX password, or the password of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>True when a certificate file is named.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Path);
}

/// <summary>One listener: <c>Pop3:Endpoints:&lt;name&gt;</c>.</summary>
public sealed class Pop3EndpointOptions
{
    /// <summary>An IP address, <c>localhost</c>, or <c>*</c> / <c>any</c> for every address (the default).</summary>
    public string Address { get; set; } = "*";

    /// <summary>The TCP port; 0 picks a free one (tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 110;

    /// <summary><c>None</c> (plain, STLS allowed) or <c>Implicit</c> (TLS from the first byte).</summary>
    public Pop3TlsMode Tls { get; set; } = Pop3TlsMode.None;

    /// <summary>Offer STLS on a plain listener when a certificate is available (default true).</summary>
    public bool AllowStls { get; set; } = true;

    /// <summary>This listener's certificate; the default <c>Pop3:Certificate</c> when not set.</summary>
    public Pop3CertificateOptions Certificate { get; set; } = new();

    /// <summary>Certificates chosen by the SNI host name the client asks for (<c>Pop3:Endpoints:&lt;name&gt;:Sni:&lt;host&gt;</c>); <c>*.example.org</c> matches one label.</summary>
    public Dictionary<string, Pop3CertificateOptions> Sni { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Expect a HAProxy PROXY protocol header (v1 or v2) before anything else, TLS included; the client address
    /// in it replaces the proxy's for logs, limits and the authenticator. Only from
    /// <c>Pop3:ProxyProtocol:TrustedNetworks</c>.
    /// </summary>
    public bool ProxyProtocol { get; set; }

    /// <summary>Whether to ask TLS clients for a certificate.</summary>
    public Pop3ClientCertificateMode ClientCertificateMode { get; set; } = Pop3ClientCertificateMode.NoCertificate;

    /// <summary>
    /// A PEM file of the certificate authorities client certificates must chain to. Unset, the system's
    /// trusted roots decide.
    /// </summary>
    public string? ClientCertificateAuthority { get; set; }
}

/// <summary>Client certificates on a TLS connection.</summary>
public enum Pop3ClientCertificateMode
{
    /// <summary>Not asked for.</summary>
    NoCertificate,

    /// <summary>Asked for; a connection without one is still served.</summary>
    AllowCertificate,

    /// <summary>Required: the handshake fails without a valid one.</summary>
    RequireCertificate,
}
