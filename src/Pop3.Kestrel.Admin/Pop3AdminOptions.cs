namespace Pop3.Kestrel.Admin;

/// <summary>The admin HTTP listener, bound from <c>Pop3:Admin</c>.</summary>
public sealed class Pop3AdminOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Admin";

    /// <summary>An IP address, <c>localhost</c>, or <c>*</c> for every address. Loopback (<c>127.0.0.1</c>) by default.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (tests). Not set (the library's default): no admin listener.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 65535)]
    public int? Port { get; set; }

    /// <summary>
    /// The bearer token the session endpoints (<c>/sessions</c>, <c>/users/{user}/sessions</c>) require.
    /// Not set: those endpoints answer only clients on a loopback address. <c>/metrics</c>,
    /// <c>/healthz</c> and <c>/readyz</c> never need it.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>True when an admin listener is configured.</summary>
    public bool IsEnabled => Port is not null;
}
