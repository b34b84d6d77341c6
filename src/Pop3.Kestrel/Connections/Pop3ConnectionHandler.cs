using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Logging;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Sessions;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Connections;

/// <summary>
/// Kestrel's entry point for a POP3 connection: a DI scope per connection, a session over the
/// connection's pipes, the hooks around it. Built once by Kestrel, so it takes only singletons.
/// </summary>
public sealed class Pop3ConnectionHandler(
    IServiceScopeFactory scopes,
    Pop3SessionFactory sessions,
    Pop3TlsPolicy tls,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<Pop3ConnectionHandler> logger) : ConnectionHandler
{
    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var endpoint = connection.Features.Get<Pop3EndpointFeature>()?.Name ?? "Default";
        var info = new Pop3ConnectionInfo(connection.ConnectionId, connection.RemoteEndPoint, connection.LocalEndPoint)
        {
            Endpoint = endpoint,
            IsSecure = connection.Features.Get<ITlsHandshakeFeature>() is not null,
            ClientCertificate = connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate,
        };

        using var logScope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["ConnectionId"] = info.ConnectionId,
            ["RemoteEndPoint"] = info.RemoteEndPoint?.ToString(),
            ["Tls"] = info.IsSecure,
        });

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var hooks = scope.ServiceProvider.GetServices<IPop3SessionHooks>().ToArray();
            foreach (var hook in hooks)
            {
                await RunHookAsync(hook.OnConnectedAsync(info, connection.ConnectionClosed));
            }

            logger.SessionStarted(info.RemoteEndPoint?.ToString());
            await using var startTls = info.IsSecure ? null : new Pop3StartTls(connection.Transport, endpoint, tls, info, time, logger);
            var summary = await sessions.Create(scope.ServiceProvider).RunAsync(connection.Transport, info, lifetime.ApplicationStopping, startTls);
            logger.SessionEnded(summary.End, summary.User, summary.Commands, summary.Topped, summary.Retrieved, summary.RetrievedBytes,
                summary.Deleted, summary.DeletedBytes, (long)summary.Duration.TotalMilliseconds);

            // The maildrop (and its lock) is released with the scope, before the hooks hear of the end.
            await scope.DisposeAsync();
            foreach (var hook in hooks)
            {
                await RunHookAsync(hook.OnDisconnectedAsync(info, summary));
            }
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException)
        {
            // The client went away; the session deleted nothing and the scope released the maildrop.
        }
    }

    private async ValueTask RunHookAsync(ValueTask hook)
    {
        try
        {
            await hook;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.HookFailed(e);
        }
    }
}
