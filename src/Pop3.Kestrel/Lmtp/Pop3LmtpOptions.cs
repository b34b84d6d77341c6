namespace Pop3.Kestrel.Lmtp;

/// <summary>The LMTP delivery listener (RFC 2033), bound from <c>Pop3:Lmtp</c>. No endpoint configured means no LMTP.</summary>
internal sealed class Pop3LmtpOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Lmtp";

    /// <summary>Listeners by name, e.g. <c>Pop3:Lmtp:Endpoints:Default:Port</c>. None by default.</summary>
    public Dictionary<string, Pop3LmtpEndpointOptions> Endpoints { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The host name in the greeting and the LHLO reply; the machine's name when empty.</summary>
    public string HostName { get; set; } = "";

    /// <summary>
    /// The largest message accepted, in octets after dot-unstuffing (announced as <c>SIZE</c>; default 50 MiB). A bigger
    /// one is refused with <c>552 5.3.4</c>, at MAIL FROM when its SIZE says so, otherwise after its final dot.
    /// </summary>
    public long MaxMessageSize { get; set; } = 50L * 1024 * 1024;

    /// <summary>Recipients accepted per message (default 100, the least RFC 5321 §4.5.3.1.8 allows); more get <c>452 4.5.3</c>.</summary>
    public int MaxRecipients { get; set; } = 100;

    /// <summary>How long the server waits for the client's next bytes, command or message data (default 5 minutes, RFC 5321 §4.5.3.2.7).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>After this many consecutive refused commands the connection is closed with <c>421 4.7.0</c>.</summary>
    public int MaxErrors { get; set; } = 10;

    /// <summary>
    /// Which user a recipient address names: <c>LocalPart</c> (the default: <c>alice@example.org</c> is user
    /// <c>alice</c>) or <c>Address</c> (the whole address, domain in lower case, for sites whose users are addresses).
    /// </summary>
    public Pop3LmtpRecipientMapping RecipientMapping { get; set; } = Pop3LmtpRecipientMapping.LocalPart;

    /// <summary>
    /// A message is kept in memory while it arrives up to this many octets (default 256 KiB), then in a temporary file,
    /// so a connection's memory stays bounded whatever the message size.
    /// </summary>
    public int SpoolMemoryLimit { get; set; } = 256 * 1024;
}
