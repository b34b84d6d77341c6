using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Pop3.Kestrel;

/// <summary>
/// What the server knows of a client connection, for authenticators, hooks and logs. Read-only to them: only the
/// session changes it, when STLS turns the connection secure.
/// </summary>
/// <param name="ConnectionId">Kestrel's connection id, also in every log line of the session.</param>
/// <param name="RemoteEndPoint">The client's address.</param>
/// <param name="LocalEndPoint">The server address the client reached.</param>
public sealed record Pop3ConnectionInfo(string ConnectionId, EndPoint? RemoteEndPoint, EndPoint? LocalEndPoint)
{
    private bool _secure;
    private SslProtocols _protocol;
    private X509Certificate2? _certificate;

    /// <summary>True once the connection is encrypted (implicit TLS, or after STLS).</summary>
    public bool IsSecure { get => _secure; init => _secure = value; }

    /// <summary>The TLS version in use once <see cref="IsSecure"/>, where the host reports it; <see cref="SslProtocols.None"/> otherwise.</summary>
    public SslProtocols TlsProtocol { get => _protocol; init => _protocol = value; }

    /// <summary>The client's validated TLS certificate, when the listener asks for one and the client sent it.</summary>
    public X509Certificate2? ClientCertificate { get => _certificate; init => _certificate = value; }

    /// <summary>The name of the listener the client reached (<c>Pop3:Endpoints:&lt;name&gt;</c>).</summary>
    public string Endpoint { get; init; } = "Default";

    /// <summary>The client's IP address, when it has one.</summary>
    public IPAddress? RemoteAddress => (RemoteEndPoint as IPEndPoint)?.Address;

    /// <summary>STLS completed: what the TLS layer learned of the client, recorded by the TLS upgrade.</summary>
    internal void Secured(SslProtocols protocol, X509Certificate2? certificate)
    {
        _protocol = protocol;
        _certificate = certificate;
        _secure = true;
    }

    /// <summary>The session switched to the encrypted transport.</summary>
    internal void MarkSecure() => _secure = true;
}
