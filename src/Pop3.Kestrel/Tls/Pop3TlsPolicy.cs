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
        var listener = Endpoint(endpoint);
        var mode = listener.ClientCertificateMode;
        var authorities = listener.ClientCertificateAuthority is { Length: > 0 } path ? Authorities(path) : null;
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificates.Get(endpoint, serverName)
                ?? throw new AuthenticationException($"No certificate for listener '{endpoint}'."),
            EnabledSslProtocols = Protocols,
            ClientCertificateRequired = mode != Pop3ClientCertificateMode.NoCertificate,
            RemoteCertificateValidationCallback = mode switch
            {
                Pop3ClientCertificateMode.NoCertificate => null,
                Pop3ClientCertificateMode.AllowCertificate => (_, certificate, _, errors) =>
                    certificate is null || IsTrusted(certificate, errors, authorities),
                _ => (_, certificate, _, errors) => certificate is not null && IsTrusted(certificate, errors, authorities),
            },
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    private static bool IsTrusted(X509Certificate certificate, SslPolicyErrors errors, X509Certificate2Collection? authorities)
    {
        if (authorities is null)
        {
            return errors == SslPolicyErrors.None;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        using var presented = new X509Certificate2(certificate);
        return chain.Build(presented);
    }

    private X509Certificate2Collection Authorities(string path)
    {
        lock (_authorities)
        {
            var stamp = File.GetLastWriteTimeUtc(path);
            if (!_authorities.TryGetValue(path, out var cached) || cached.Stamp != stamp)
            {
                var collection = new X509Certificate2Collection();
                collection.ImportFromPemFile(path);
                _authorities[path] = cached = (stamp, collection);
            }

            return cached.Collection;
        }
    }

    private readonly Dictionary<string, (DateTime Stamp, X509Certificate2Collection Collection)> _authorities = [];

    private Pop3EndpointOptions Endpoint(string endpoint) =>
        options.Value.Endpoints.TryGetValue(endpoint, out var listener) ? listener : new Pop3EndpointOptions();
}
