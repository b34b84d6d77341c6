using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Diagnostics;
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
    ILogger<Pop3ConnectionHandler> logger,
    Pop3ConnectionGate gate,
    Pop3SessionRegistry? registry = null,
    Pop3Metrics? metrics = null) : ConnectionHandler
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

        // Per-address bans, and the total limit when every place is held by a logged-in session: refused before
        // the greeting, with -ERR [SYS/TEMP]. Otherwise admitted, perhaps by evicting the oldest unauthenticated connection.
        using var lease = gate.TryAdmit(info);
        if (!lease.IsAdmitted)
        {
            await RefuseAsync(connection, lease.Refusal.ToArray());
            return;
        }

        Pop3Session? session = null;
        using var logScope = logger.BeginScope(new Pop3LogScope(info, () => session?.Context?.User));

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
            session = sessions.Create(scope.ServiceProvider);
            session.Admission = lease;

            // An administrator's kick ends the session the way a shutdown does: no UPDATE, nothing deleted.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
            using var active = registry?.Add(info, session, stopping, time.GetUtcNow());
            metrics?.SessionStarted();
            var end = Pop3SessionEnd.Dropped;
            Pop3SessionSummary summary;
            try
            {
                summary = await session.RunAsync(connection.Transport, info, stopping.Token, startTls);
                if (active is { IsKicked: true } && summary.End == Pop3SessionEnd.Shutdown && !lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    summary = summary with { End = Pop3SessionEnd.Kicked };
                }

                end = summary.End;
            }
            finally
            {
                metrics?.SessionEnded(end);
            }

            if (startTls?.Succeeded is { } stls)
            {
                metrics?.TlsHandshake("stls", stls);
            }

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

    private static async ValueTask RefuseAsync(ConnectionContext connection, byte[] reply)
    {
        try
        {
            await connection.Transport.Output.WriteAsync(reply, connection.ConnectionClosed);
        }
        catch (Exception e) when (e is ConnectionResetException or IOException or OperationCanceledException)
        {
            // The client did not wait for the refusal.
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
