using System.Net;

namespace Pop3.Kestrel.Admin;

/// <summary>One session in <c>GET /sessions</c>.</summary>
/// <param name="Id">The connection id: <c>DELETE /sessions/{id}</c> kicks it.</param>
/// <param name="User">The logged-in user, null before login.</param>
/// <param name="Ip">The client's address (the PROXY protocol's, behind a proxy).</param>
/// <param name="Since">When the client connected.</param>
/// <param name="Seconds">How long it has been connected.</param>
/// <param name="State">AUTHORIZATION, TRANSACTION or UPDATE.</param>
/// <param name="Tls">Whether the connection is encrypted.</param>
/// <param name="Endpoint">The listener's name.</param>
/// <param name="Commands">Commands received.</param>
/// <param name="Bytes">Message octets sent (RETR and TOP).</param>
internal sealed record Pop3SessionView(string Id, string? User, string? Ip, DateTimeOffset Since, long Seconds, string State, bool Tls, string Endpoint, int Commands, long Bytes)
{
    internal static Pop3SessionView Of(Pop3ActiveSession s, DateTimeOffset now) => new(
        s.Id,
        s.User,
        (s.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? s.RemoteEndPoint?.ToString(),
        s.Since,
        (long)(now - s.Since).TotalSeconds,
        s.State.ToString().ToUpperInvariant(),
        s.IsSecure,
        s.Endpoint,
        s.Commands,
        s.BytesSent);
}
