using System.Collections.Concurrent;
using System.Net;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Admin;

/// <summary>
/// The sessions connected now (Dovecot's <c>doveadm who</c>), fed by a built-in session hook; kicking one
/// ends it like a server shutdown: <c>-ERR [SYS/TEMP]</c>, no UPDATE, nothing deleted.
/// </summary>
internal sealed class Pop3SessionRegistry
{
    private readonly ConcurrentDictionary<string, Pop3ActiveSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>A snapshot of the sessions, oldest first.</summary>
    public IReadOnlyList<Pop3ActiveSession> Sessions => [.. _sessions.Values.OrderBy(s => s.Since)];

    /// <summary>The sessions connected now.</summary>
    public int Count => _sessions.Count;

    /// <summary>Ends session <paramref name="id"/> (its connection id); false if there is none.</summary>
    public bool Kick(string id)
    {
        if (!_sessions.TryGetValue(id, out var session))
        {
            return false;
        }

        session.Kick();
        return true;
    }

    /// <summary>Ends every session logged in as <paramref name="user"/> and says how many there were.</summary>
    public int KickUser(string user)
    {
        var kicked = 0;
        foreach (var session in _sessions.Values)
        {
            if (string.Equals(session.User, user, StringComparison.Ordinal))
            {
                session.Kick();
                kicked++;
            }
        }

        return kicked;
    }

    internal Pop3ActiveSession Add(Pop3ConnectionInfo connection, Pop3Session session, DateTimeOffset since)
    {
        var active = new Pop3ActiveSession(this, connection, session, since);
        _sessions[connection.ConnectionId] = active;
        return active;
    }

    internal void Remove(Pop3ActiveSession session) => _sessions.TryRemove(new(session.Id, session));
}

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
