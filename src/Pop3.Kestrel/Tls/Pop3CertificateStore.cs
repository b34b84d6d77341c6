using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Diagnostics;

namespace Pop3.Kestrel.Tls;

/// <summary>
/// The server certificates: loaded from configuration, picked per listener and SNI host name, and
/// reloaded when their files change (certbot, cert-manager) without a restart. A broken new file keeps
/// the certificate in use and logs an error. In development, with nothing configured, a self-signed
/// certificate for localhost is made once under the data folder.
/// </summary>
internal sealed class Pop3CertificateStore
{
    // How often a certificate's files are looked at again; a stat per file, on the next handshake only.
    private static readonly TimeSpan RecheckInterval = TimeSpan.FromSeconds(2);

    private readonly Pop3ServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Pop3CertificateStore> _logger;
    private readonly Dictionary<(string?, string?, string?), CertificateSlot> _slots = [];
    private readonly Lazy<Pop3CertificateOptions?> _development;

    /// <summary>Builds the store from the server options; no file is read until a certificate is asked for.</summary>
    public Pop3CertificateStore(IOptions<Pop3ServerOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<Pop3CertificateStore> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _development = new(() => environment.IsDevelopment() ? CreateDevelopmentCertificate() : null);
    }

    /// <summary>True if listener <paramref name="endpoint"/> has a certificate to offer.</summary>
    public bool HasCertificate(string endpoint) => Resolve(endpoint, null) is not null;

    /// <summary>The certificate for a handshake on <paramref name="endpoint"/> for SNI name <paramref name="serverName"/>, or null if none.</summary>
    public SslStreamCertificateContext? Get(string endpoint, string? serverName)
    {
        var options = Resolve(endpoint, serverName);
        if (options is null)
        {
            return null;
        }

        CertificateSlot slot;
        lock (_slots)
        {
            var key = (options.Path, options.KeyPath, options.Password);
            if (!_slots.TryGetValue(key, out slot!))
            {
                slot = _slots[key] = new CertificateSlot(options);
            }
        }

        return slot.Current(_time, _logger);
    }

    /// <summary>Loads every configured certificate now, so a broken file stops start-up with the key at fault.</summary>
    internal void LoadAll()
    {
        if (Pop3TlsPolicy.TryParseMinimumVersion(_options.TlsMinimumVersion, out var protocols) && (protocols & ~Pop3TlsPolicy.Protocols) != 0)
        {
            _logger.LegacyTlsAllowed(_options.TlsMinimumVersion);
        }

        foreach (var (name, endpoint) in _options.Endpoints)
        {
            var uses = endpoint.Tls == Pop3TlsMode.Implicit || endpoint.AllowStls;
            if (!uses)
            {
                continue;
            }

            if (Resolve(name, null) is null)
            {
                if (endpoint.Tls == Pop3TlsMode.Implicit)
                {
                    throw new OptionsValidationException(Pop3ServerOptions.SectionName, typeof(Pop3ServerOptions),
                        [$"Pop3:Endpoints:{name}:Tls is Implicit but no certificate is configured: set Pop3:Endpoints:{name}:Certificate:Path or Pop3:Certificate:Path."]);
                }

                continue;
            }

            Check(Resolve(name, null)!, endpoint.Certificate.IsConfigured ? $"Pop3:Endpoints:{name}:Certificate" : "Pop3:Certificate");
            foreach (var (host, sni) in endpoint.Sni)
            {
                Check(sni, $"Pop3:Endpoints:{name}:Sni:{host}");
            }
        }
    }

    private void Check(Pop3CertificateOptions options, string key)
    {
        try
        {
            using var certificate = Load(options);
            if (!certificate.HasPrivateKey)
            {
                throw new CryptographicException("the certificate has no private key (set KeyPath for a PEM certificate)");
            }
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new OptionsValidationException(Pop3ServerOptions.SectionName, typeof(Pop3ServerOptions),
                [$"{key}:Path '{options.Path}' could not be loaded: {e.Message}"]);
        }
    }

    private Pop3CertificateOptions? Resolve(string endpoint, string? serverName)
    {
        if (!_options.Endpoints.TryGetValue(endpoint, out var listener))
        {
            listener = new Pop3EndpointOptions();
        }

        if (serverName is not null && Match(listener.Sni, serverName) is { } sni)
        {
            return sni;
        }

        if (listener.Certificate.IsConfigured)
        {
            return listener.Certificate;
        }

        return _options.Certificate.IsConfigured ? _options.Certificate : _development.Value;
    }

    private static Pop3CertificateOptions? Match(Dictionary<string, Pop3CertificateOptions> sni, string serverName)
    {
        if (sni.TryGetValue(serverName, out var exact))
        {
            return exact;
        }

        var dot = serverName.IndexOf('.');
        return dot > 0 && sni.TryGetValue("*" + serverName[dot..], out var wildcard) ? wildcard : null;
    }

    internal static X509Certificate2 Load(Pop3CertificateOptions options)
    {
        var path = options.Path!;
        var head = new byte[11];
        using (var file = File.OpenRead(path))
        {
            file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (!"-----BEGIN"u8.SequenceEqual(head.AsSpan(0, 10)))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, options.Password);
        }

        var keyPath = string.IsNullOrWhiteSpace(options.KeyPath) ? null : options.KeyPath;
        return string.IsNullOrEmpty(options.Password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, options.Password, keyPath);
    }

    private Pop3CertificateOptions CreateDevelopmentCertificate()
    {
        var path = Path.GetFullPath(Path.Combine(_options.DataPath, "tls", "localhost-development.pfx"));
        try
        {
            if (File.Exists(path) && X509CertificateLoader.LoadPkcs12FromFile(path, null) is { } existing && existing.NotAfter > DateTime.Now.AddDays(7))
            {
                existing.Dispose();
                return new Pop3CertificateOptions { Path = path };
            }
        }
        catch (CryptographicException)
        {
            // An unreadable file is replaced below.
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddYears(1));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, certificate.Export(X509ContentType.Pfx));
        File.Move(temporary, path, overwrite: true);
        _logger.DevelopmentCertificateCreated(path);
        return new Pop3CertificateOptions { Path = path };
    }

    private sealed class CertificateSlot(Pop3CertificateOptions options)
    {
        private SslStreamCertificateContext? _context;
        private (DateTime, DateTime) _stamp;
        private long _checkedAt = long.MinValue;

        public SslStreamCertificateContext? Current(TimeProvider time, ILogger logger)
        {
            lock (this)
            {
                var now = time.GetTimestamp();
                if (_context is not null && time.GetElapsedTime(_checkedAt, now) < RecheckInterval)
                {
                    return _context;
                }

                _checkedAt = now;
                var stamp = (File.GetLastWriteTimeUtc(options.Path!), options.KeyPath is { Length: > 0 } ? File.GetLastWriteTimeUtc(options.KeyPath) : default);
                if (_context is not null && stamp == _stamp)
                {
                    return _context;
                }

                try
                {
                    var certificate = Load(options);
                    var chain = new X509Certificate2Collection();
                    if (options.Path!.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || options.Path.EndsWith(".crt", StringComparison.OrdinalIgnoreCase))
                    {
                        chain.ImportFromPemFile(options.Path);
                        chain.RemoveAt(0);
                    }

                    var previous = _context is not null;
                    _context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
                    _stamp = stamp;
                    if (previous)
                    {
                        logger.CertificateReloaded(options.Path, certificate.Subject, certificate.NotAfter);
                    }
                }
                catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
                {
                    // Keep serving with the certificate we have; try the files again at the next check.
                    logger.CertificateReloadFailed(e, options.Path);
                }

                return _context;
            }
        }
    }
}
