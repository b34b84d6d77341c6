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
}

/// <summary>One listener: <c>Pop3:Endpoints:&lt;name&gt;</c>.</summary>
public sealed class Pop3EndpointOptions
{
    /// <summary>An IP address, <c>localhost</c>, or <c>*</c> / <c>any</c> for every address (the default).</summary>
    public string Address { get; set; } = "*";

    /// <summary>The TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 110;
}
