using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Admin;

/// <summary>The built-in hooks that list a session in the <see cref="Pop3SessionRegistry"/> while it runs. Scoped, like the session.</summary>
internal sealed class Pop3SessionRegistryHooks(Pop3SessionRegistry registry, Pop3Session session, TimeProvider time) : IPop3SessionHooks
{
    private Pop3ActiveSession? _active;

    public ValueTask OnConnectedAsync(Pop3ConnectionInfo connection, CancellationToken cancellationToken)
    {
        _active = registry.Add(connection, session, time.GetUtcNow());
        return ValueTask.CompletedTask;
    }

    public ValueTask OnDisconnectedAsync(Pop3ConnectionInfo connection, Pop3SessionSummary summary)
    {
        _active?.Dispose();
        return ValueTask.CompletedTask;
    }
}
