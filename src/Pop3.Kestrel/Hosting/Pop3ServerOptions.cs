namespace Pop3.Kestrel.Hosting;

/// <summary>The server's settings, bound from the <c>Pop3</c> configuration section.</summary>
public sealed class Pop3ServerOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3";

    /// <summary>
    /// The meter the server's instruments (<c>pop3.*</c>) are on, for <c>AddMeter</c> in OpenTelemetry or
    /// <c>dotnet-counters</c>; a package that adds instruments of its own creates them on this meter too.
    /// </summary>
    public const string MeterName = "Pop3.Kestrel";

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
