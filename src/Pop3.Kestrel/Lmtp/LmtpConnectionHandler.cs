using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// Kestrel's entry point for an LMTP connection: a DI scope, a session over the connection's pipes, nothing escaping.
/// Built once by Kestrel, so it takes only singletons.
/// </summary>
internal sealed class LmtpConnectionHandler(
    IServiceScopeFactory scopes,
    IOptions<Pop3LmtpOptions> options,
    LmtpReplies replies,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<LmtpConnectionHandler> logger,
    LmtpMetrics? metrics = null) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var started = time.GetTimestamp();
        metrics?.SessionStarted();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            await using var session = new LmtpSession(options.Value, replies, services.GetRequiredService<IPop3UserDirectory>(),
                services.GetRequiredService<IPop3MailDelivery>(), time, logger, metrics);
            logger.SessionStarted(connection.RemoteEndPoint?.ToString());
            var end = LmtpSessionEnd.Dropped;
            try
            {
                end = await session.RunAsync(connection.Transport, lifetime.ApplicationStopping, connection.ConnectionClosed);
            }
            catch (Exception e) when (e is ConnectionResetException or OperationCanceledException or IOException)
            {
                // The client went away: whatever it was not told was delivered, it still has.
            }

            var (messages, delivered, refused) = session.Counts;
            logger.SessionEnded(end, (long)time.GetElapsedTime(started).TotalMilliseconds, messages, delivered, refused);
        }
        catch (Exception e)
        {
            logger.SessionFailed(e);
        }
        finally
        {
            metrics?.SessionEnded();
        }
    }
}
