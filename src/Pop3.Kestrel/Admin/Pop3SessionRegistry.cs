using System.Collections.Concurrent;
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
