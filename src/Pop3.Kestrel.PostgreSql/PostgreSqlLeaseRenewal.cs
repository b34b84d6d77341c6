using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// Renews all of this node's mailbox leases every third of the lease duration, in one statement per round. A round that
/// fails (database down) is logged and the next one tries again; a lease found taken over is logged once.
/// </summary>
internal sealed partial class PostgreSqlLeaseRenewal(PostgreSqlMailStore store, TimeProvider time, ILogger<PostgreSqlLeaseRenewal> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var leases = store.Leases;
        using var timer = new PeriodicTimer(leases.Duration / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RenewOnceAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One renewal round; never throws for a database failure.</summary>
    internal async Task RenewOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var mailbox in await store.Leases.RenewAsync(cancellationToken))
            {
                LogLost(logger, mailbox);
            }
        }
        catch (Exception e) when (PostgreSqlRetry.IsDatabaseFailure(e))
        {
            LogRenewFailed(logger, store.Leases.Count, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The lease of mailbox {Mailbox} expired and was taken by another session; this node's session there can no longer delete")]
    private static partial void LogLost(ILogger logger, string mailbox);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew {Count} mailbox lease(s); trying again at the next round")]
    private static partial void LogRenewFailed(ILogger logger, int count, Exception exception);
}
