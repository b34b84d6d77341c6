namespace Pop3.Kestrel.Upstream;

/// <summary>The upstream server, POP3 or IMAP, that holds the mailboxes. Bound from the configuration section <c>Pop3:Upstream</c>.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Upstream";

    /// <summary>
    /// The section's name before it was <c>Pop3:Upstream</c>. Still read, with a deprecation warning at start-up, when
    /// present; a key set in both takes the <c>Pop3:Upstream</c> value.
    /// </summary>
    public const string LegacySectionName = "Pop3:Proxy";

    /// <summary>The placeholder in <see cref="User"/> replaced by the mailbox name.</summary>
    public const string UserPlaceholder = "{user}";

    /// <summary>The protocol the upstream speaks.</summary>
    public UpstreamProtocol Protocol { get; set; } = UpstreamProtocol.Pop3;

    /// <summary>The upstream host name or address.</summary>
    public string Host { get; set; } = "";

    /// <summary>
    /// The upstream port. Empty (the default): the protocol's own, 110 or 995 for POP3, 143 or 993 for IMAP (the second
    /// with <see cref="UpstreamTlsMode.Implicit"/>).
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1, 65535)]
    public int? Port { get; set; }

    /// <summary>TLS to the upstream.</summary>
    public UpstreamTlsMode Tls { get; set; } = UpstreamTlsMode.None;

    /// <summary>Accept an upstream certificate that does not validate (a test server). Never in production.</summary>
    public bool AcceptAnyCertificate { get; set; }

    /// <summary>
    /// The upstream user name. Empty (the default): the mailbox name, i.e. the credentials are passed through. May
    /// contain <c>{user}</c>, e.g. <c>{user}@isp.example</c>.
    /// </summary>
    public string? User { get; set; }

    /// <summary>
    /// The upstream password. Empty (the default): the password the client logged in with, passed through. Set it to map
    /// every local user onto one upstream account.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>For <see cref="UpstreamProtocol.Imap"/>: the folder served, and what reading and deleting do upstream.</summary>
    public UpstreamImapOptions Imap { get; set; } = new();

    /// <summary>How long one upstream operation may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The port in use: <see cref="Port"/>, or the protocol's default for the TLS mode.</summary>
    internal int EffectivePort => Port ?? (Protocol, Tls) switch
    {
        (UpstreamProtocol.Imap, UpstreamTlsMode.Implicit) => 993,
        (UpstreamProtocol.Imap, _) => 143,
        (_, UpstreamTlsMode.Implicit) => 995,
        _ => 110,
    };
}
