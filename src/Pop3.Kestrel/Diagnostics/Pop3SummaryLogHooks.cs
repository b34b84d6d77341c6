using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>The built-in hooks that log a line when a session starts and its one summary line when it ends.</summary>
internal sealed class Pop3SummaryLogHooks(ILogger<Pop3ConnectionHandler> logger) : IPop3SessionHooks
{
    public ValueTask OnConnectedAsync(Pop3ConnectionInfo connection, CancellationToken cancellationToken)
    {
        logger.SessionStarted(connection.RemoteEndPoint?.ToString());
        return ValueTask.CompletedTask;
    }

    public ValueTask OnDisconnectedAsync(Pop3ConnectionInfo connection, Pop3SessionSummary summary)
    {
        logger.SessionEnded(summary.End, summary.User, summary.Commands, summary.Topped, summary.Retrieved, summary.RetrievedBytes,
            summary.Deleted, summary.DeletedBytes, (long)summary.Duration.TotalMilliseconds);
        return ValueTask.CompletedTask;
    }
}
