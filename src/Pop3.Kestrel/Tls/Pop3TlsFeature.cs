using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Pop3.Kestrel.Tls;

/// <summary>What an implicit-TLS connection's handshake agreed, in the features Kestrel's own TLS sets.</summary>
internal sealed class Pop3TlsFeature(Pop3TlsTransport tls) : ITlsConnectionFeature, ITlsHandshakeFeature
{
    public X509Certificate2? ClientCertificate { get; set; } =
        tls.Ssl.RemoteCertificate is { } remote ? new X509Certificate2(remote) : null;

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    public SslProtocols Protocol => tls.Ssl.SslProtocol;

    public System.Net.Security.TlsCipherSuite? NegotiatedCipherSuite => tls.Ssl.NegotiatedCipherSuite;

    public string HostName => tls.Ssl.TargetHostName;

#pragma warning disable SYSLIB0058 // The legacy algorithm members of the interface: answered the way SslStream answers them.
    public CipherAlgorithmType CipherAlgorithm => tls.Ssl.CipherAlgorithm;

    public int CipherStrength => tls.Ssl.CipherStrength;

    public HashAlgorithmType HashAlgorithm => tls.Ssl.HashAlgorithm;

    public int HashStrength => tls.Ssl.HashStrength;

    public ExchangeAlgorithmType KeyExchangeAlgorithm => tls.Ssl.KeyExchangeAlgorithm;

    public int KeyExchangeStrength => tls.Ssl.KeyExchangeStrength;
#pragma warning restore SYSLIB0058
}
