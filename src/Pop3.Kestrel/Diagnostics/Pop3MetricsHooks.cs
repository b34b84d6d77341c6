using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>The built-in hooks that count active sessions and how they ended.</summary>
internal sealed class Pop3MetricsHooks(Pop3Metrics metrics) : IPop3SessionHooks
{
    public ValueTask OnConnectedAsync(Pop3ConnectionInfo connection, CancellationToken cancellationToken)
    {
        metrics.SessionStarted();
        return ValueTask.CompletedTask;
    }

    public ValueTask OnDisconnectedAsync(Pop3ConnectionInfo connection, Pop3SessionSummary summary)
    {
        metrics.SessionEnded(summary.End);
        return ValueTask.CompletedTask;
    }
}
