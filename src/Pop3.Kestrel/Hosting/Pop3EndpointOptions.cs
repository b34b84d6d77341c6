using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Pop3.Kestrel.Hosting;

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

    /// <summary>
    /// Reads an address setting the way every listener does (POP3, LMTP, admin): an IP address, <c>localhost</c> (the
    /// IPv4 loopback), or <c>*</c> / <c>any</c> / empty for every address (the IPv6 any address, dual-stack).
    /// </summary>
    public static bool TryParseAddress(string text, [NotNullWhen(true)] out IPAddress? address)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.Trim().ToLowerInvariant())
        {
            case "*" or "any" or "":
                address = IPAddress.IPv6Any;
                return true;
            case "localhost":
                address = IPAddress.Loopback;
                return true;
            default:
                return IPAddress.TryParse(text, out address);
        }
    }
}
