using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Sessions;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Connections;

/// <summary>
/// Kestrel's entry point for a POP3 connection: admission, a DI scope, the session over the connection's pipes, the
/// hooks around it (metrics, the session registry and the summary line are built-in hooks). Built once by Kestrel,
/// so it takes only singletons.
/// </summary>
internal sealed class Pop3ConnectionHandler(
    IServiceScopeFactory scopes,
    Pop3ConnectionGate gate,
    Pop3TlsPolicy tls,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<Pop3ConnectionHandler> logger,
    Pop3Metrics? metrics = null) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var info = new Pop3ConnectionInfo(connection.ConnectionId, connection.RemoteEndPoint, connection.LocalEndPoint)
        {
            Endpoint = connection.Features.Get<Pop3EndpointFeature>()?.Name ?? "Default",
            IsSecure = connection.Features.Get<ITlsHandshakeFeature>() is not null,
            TlsProtocol = connection.Features.Get<ITlsHandshakeFeature>()?.Protocol ?? default,
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

        try
        {
            await RunSessionAsync(connection, info, lease);
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException)
        {
            // The client went away; the session deleted nothing and the scope released the maildrop.
        }
    }

    private async Task RunSessionAsync(ConnectionContext connection, Pop3ConnectionInfo info, Pop3ConnectionLease lease)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<Pop3Session>();
        session.Admission = lease;
        using var logScope = logger.BeginScope(new Pop3LogScope(info, () => session.Context?.User));
        await using var startTls = info.IsSecure ? null : new Pop3StartTls(connection.Transport, info.Endpoint, tls, info, time, logger, metrics);
        var hooks = scope.ServiceProvider.GetServices<IPop3SessionHooks>().ToArray();
        foreach (var hook in hooks)
        {
            await RunHookAsync(hook.OnConnectedAsync(info, connection.ConnectionClosed));
        }

        var summary = await session.RunAsync(connection.Transport, info, lifetime.ApplicationStopping, startTls, connection.ConnectionClosed);

        // The maildrop (and its lock) is released with the scope, before the hooks hear of the end.
        await scope.DisposeAsync();
        foreach (var hook in hooks)
        {
            await RunHookAsync(hook.OnDisconnectedAsync(info, summary));
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
