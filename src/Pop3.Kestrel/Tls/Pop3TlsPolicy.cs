using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Tls;

/// <summary>The TLS settings of every handshake, implicit or STLS: TLS 1.2 and 1.3 only, no ALPN, the listener's certificate.</summary>
public sealed class Pop3TlsPolicy(IOptions<Pop3ServerOptions> options, Pop3CertificateStore certificates)
{
    /// <summary>The protocols offered; TLS 1.1 and older are refused.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    /// <summary>The handshake bound.</summary>
    public TimeSpan HandshakeTimeout => options.Value.TlsHandshakeTimeout;

    /// <summary>True if listener <paramref name="endpoint"/> can offer STLS now.</summary>
    public bool CanStartTls(string endpoint) =>
        Endpoint(endpoint) is { Tls: Pop3TlsMode.None, AllowStls: true } && certificates.HasCertificate(endpoint);

    /// <summary>The server options for one handshake on <paramref name="endpoint"/>, for the SNI name the client sent.</summary>
    public SslServerAuthenticationOptions ServerOptions(string endpoint, string? serverName)
    {
        var mode = Endpoint(endpoint).ClientCertificateMode;
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificates.Get(endpoint, serverName)
                ?? throw new AuthenticationException($"No certificate for listener '{endpoint}'."),
            EnabledSslProtocols = Protocols,
            ClientCertificateRequired = mode != Pop3ClientCertificateMode.NoCertificate,
            RemoteCertificateValidationCallback = mode switch
            {
                Pop3ClientCertificateMode.NoCertificate => null,
                Pop3ClientCertificateMode.AllowCertificate => static (_, certificate, _, errors) =>
                    certificate is null || errors == SslPolicyErrors.None,
                _ => static (_, certificate, _, errors) => certificate is not null && errors == SslPolicyErrors.None,
            },
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    private Pop3EndpointOptions Endpoint(string endpoint) =>
        options.Value.Endpoints.TryGetValue(endpoint, out var listener) ? listener : new Pop3EndpointOptions();
}
