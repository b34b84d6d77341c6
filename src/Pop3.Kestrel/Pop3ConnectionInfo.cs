using System.Net;

namespace Pop3.Kestrel;

/// <summary>What the server knows of a client connection, for authenticators, hooks and logs.</summary>
/// <param name="ConnectionId">Kestrel's connection id, also in every log line of the session.</param>
/// <param name="RemoteEndPoint">The client's address.</param>
/// <param name="LocalEndPoint">The server address the client reached.</param>
public sealed record Pop3ConnectionInfo(string ConnectionId, EndPoint? RemoteEndPoint, EndPoint? LocalEndPoint)
{
    /// <summary>True once the connection is encrypted (implicit TLS or after STLS).</summary>
    public bool IsSecure { get; set; }

    /// <summary>The name of the listener the client reached (<c>Pop3:Endpoints:&lt;name&gt;</c>).</summary>
    public string Endpoint { get; init; } = "Default";

    /// <summary>The client's validated TLS certificate, when the listener asks for one and the client sent it.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate { get; set; }

    /// <summary>The client's IP address, when it has one.</summary>
    public IPAddress? RemoteAddress => (RemoteEndPoint as IPEndPoint)?.Address;
}
