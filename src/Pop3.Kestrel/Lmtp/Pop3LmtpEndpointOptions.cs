using System.ComponentModel.DataAnnotations;

namespace Pop3.Kestrel.Lmtp;

/// <summary>One LMTP listener: <c>Pop3:Lmtp:Endpoints:&lt;name&gt;</c>, a TCP address and port or a Unix socket.</summary>
internal sealed class Pop3LmtpEndpointOptions
{
    /// <summary>An IP address, <c>localhost</c>, or <c>*</c> / <c>any</c> for every address. Default <c>localhost</c>: LMTP has no authentication.</summary>
    public string Address { get; set; } = "localhost";

    /// <summary>The TCP port (24 by default, LMTP's); 0 picks a free one (tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 24;

    /// <summary>A Unix socket path to listen on instead of <see cref="Address"/> and <see cref="Port"/> (Postfix's <c>lmtp:unix:</c>).</summary>
    public string? UnixSocket { get; set; }
}
