namespace Pop3.Kestrel.Sessions;

/// <summary>Called when a client connects and when its session ends (register any number of them).</summary>
public interface IPop3SessionHooks
{
    /// <summary>A client connected; called before the greeting.</summary>
    ValueTask OnConnectedAsync(Pop3ConnectionInfo connection, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>The session ended; the maildrop is already released.</summary>
    ValueTask OnDisconnectedAsync(Pop3ConnectionInfo connection, Pop3SessionSummary summary) => ValueTask.CompletedTask;
}

/// <summary>What happened in a session, as logged in its summary line.</summary>
public sealed record Pop3SessionSummary(
    string? User,
    Pop3SessionEnd End,
    int Commands,
    int Retrieved,
    long RetrievedBytes,
    int Topped,
    long ToppedBytes,
    int Deleted,
    long DeletedBytes,
    TimeSpan Duration);
