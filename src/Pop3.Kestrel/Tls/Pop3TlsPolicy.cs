using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Tls;

/// <summary>
/// The TLS settings of every handshake, implicit or STLS: TLS 1.2 and 1.3 unless <c>Pop3:TlsMinimumVersion</c> says
/// otherwise, no ALPN, the listener's certificate.
/// </summary>
internal sealed class Pop3TlsPolicy(IOptions<Pop3ServerOptions> options, Pop3CertificateStore certificates)
{
    /// <summary>The protocols offered by default; TLS 1.1 and older are refused.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private readonly SslProtocols _protocols = TryParseMinimumVersion(options.Value.TlsMinimumVersion, out var protocols) ? protocols : Protocols;

    private readonly CipherSuitesPolicy? _legacy = LegacyCipherSuites(TryParseMinimumVersion(options.Value.TlsMinimumVersion, out var legacy) ? legacy : Protocols);

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
        var server = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = certificates.Get(endpoint, serverName)
                ?? throw new AuthenticationException($"No certificate for listener '{endpoint}'."),
            EnabledSslProtocols = _protocols,
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
        if (_legacy is not null)
        {
            // OpenSSL 3 refuses TLS 1.0 and 1.1 at its default security level (their handshakes sign with SHA-1), and
            // .NET lowers the level to 0 only for a context whose encryption policy allows no encryption. That policy
            // would also let NULL ciphers in, but an explicit cipher list replaces OpenSSL's: only the suites below
            // are offered, all encrypting. This context alone is affected, not the rest of the process.
#pragma warning disable SYSLIB0040
            server.EncryptionPolicy = EncryptionPolicy.AllowNoEncryption;
#pragma warning restore SYSLIB0040
            server.CipherSuitesPolicy = _legacy;
        }

        return server;
    }

    /// <summary>
    /// The cipher suites offered when <c>Pop3:TlsMinimumVersion</c> is below 1.2, on Linux: those of TLS 1.3 and the
    /// AEAD suites of TLS 1.2 first (the server's preference decides), then the CBC suites TLS 1.0 and 1.1 need.
    /// </summary>
    private static CipherSuitesPolicy? LegacyCipherSuites(SslProtocols protocols)
    {
        if ((protocols & ~Protocols) == 0 || !OperatingSystem.IsLinux())
        {
            return null;
        }

        return new CipherSuitesPolicy(
        [
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
            TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
            TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
            TlsCipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA,
            TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
        ]);
    }

    /// <summary>
    /// Reads a <c>Pop3:TlsMinimumVersion</c> value (<c>1.0</c> to <c>1.3</c>, or Dovecot's <c>TLSv1</c> to <c>TLSv1.3</c>)
    /// as the protocols from that version up to TLS 1.3.
    /// </summary>
    internal static bool TryParseMinimumVersion(string? value, out SslProtocols protocols)
    {
        var version = value?.Trim() ?? "";
        if (version.StartsWith("TLSv", StringComparison.OrdinalIgnoreCase))
        {
            version = version[4..] is "1" ? "1.0" : version[4..];
        }

#pragma warning disable SYSLIB0039 // TLS 1.0 and 1.1 exist here only for an operator who asks for them.
        protocols = version switch
        {
            "1.3" => SslProtocols.Tls13,
            "1.2" => SslProtocols.Tls12 | SslProtocols.Tls13,
            "1.1" => SslProtocols.Tls11 | SslProtocols.Tls12 | SslProtocols.Tls13,
            "1.0" => SslProtocols.Tls | SslProtocols.Tls11 | SslProtocols.Tls12 | SslProtocols.Tls13,
            _ => SslProtocols.None,
        };
#pragma warning restore SYSLIB0039
        return protocols != SslProtocols.None;
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
