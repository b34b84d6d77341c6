using System.Net;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Admin;

/// <summary>One connected session as the admin endpoint shows it.</summary>
internal sealed class Pop3ActiveSession : IDisposable
{
    private readonly Pop3SessionRegistry _registry;
    private readonly Pop3ConnectionInfo _connection;
    private readonly Pop3Session _session;
    private volatile bool _kicked;

    internal Pop3ActiveSession(Pop3SessionRegistry registry, Pop3ConnectionInfo connection, Pop3Session session, DateTimeOffset since)
    {
        _registry = registry;
        _connection = connection;
        _session = session;
        Since = since;
    }

    /// <summary>The connection id, also in every log line of the session.</summary>
    public string Id => _connection.ConnectionId;

    /// <summary>The logged-in user, or null before login.</summary>
    public string? User => _session.Context?.User;

    /// <summary>The client's address.</summary>
    public EndPoint? RemoteEndPoint => _connection.RemoteEndPoint;

    /// <summary>The listener the client reached.</summary>
    public string Endpoint => _connection.Endpoint;

    /// <summary>True once the connection is encrypted.</summary>
    public bool IsSecure => _connection.IsSecure;

    /// <summary>When the client connected.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>AUTHORIZATION, TRANSACTION or UPDATE.</summary>
    public Pop3SessionState State => _session.Context?.State ?? Pop3SessionState.Authorization;

    /// <summary>Message octets sent so far (RETR and TOP).</summary>
    public long BytesSent => _session.Context?.Counters.SentBytes ?? 0;

    /// <summary>Commands received so far.</summary>
    public int Commands => _session.Context?.Counters.Commands ?? 0;

    /// <summary>True once an administrator kicked the session.</summary>
    public bool IsKicked => _kicked;

    internal void Kick()
    {
        _kicked = true;
        _session.Kick();
    }

    /// <summary>Removes the session from the registry once it has ended.</summary>
    public void Dispose() => _registry.Remove(this);
}
