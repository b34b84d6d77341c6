namespace Pop3.Kestrel.Sessions;

/// <summary>Called when a client connects and when its session ends (register any number of them).</summary>
public interface IPop3SessionHooks
{
    /// <summary>A client connected; called before the greeting.</summary>
    ValueTask OnConnectedAsync(Pop3ConnectionInfo connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The session ended; the maildrop is already released.</summary>
    ValueTask OnDisconnectedAsync(Pop3ConnectionInfo connection, Pop3SessionSummary summary) => ValueTask.CompletedTask;
}
