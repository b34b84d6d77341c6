using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Admin;

/// <summary>The admin listener's endpoints (<see cref="Pop3AdminExtensions.MapPop3Admin"/>); they answer only on that listener.</summary>
internal static class Pop3AdminEndpoints
{
    public static WebApplication Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<Pop3AdminEndpointMetadata>() is { } admin)
            {
                var listener = context.RequestServices.GetRequiredService<Pop3AdminListener>();
                if (!listener.Accepts(context.Connection))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                if (admin.NeedsAuthorization && !IsAuthorized(context))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    return;
                }
            }

            await next(context);
        });

        var open = new Pop3AdminEndpointMetadata(false);
        var guarded = new Pop3AdminEndpointMetadata(true);
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(open);
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).WithMetadata(open);
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).WithMetadata(open);

        app.MapGet("/sessions", (Pop3SessionRegistry registry, TimeProvider time) =>
            Results.Ok(registry.Sessions.Select(s => Pop3SessionView.Of(s, time.GetUtcNow())))).WithMetadata(guarded);
        app.MapDelete("/sessions/{id}", (string id, Pop3SessionRegistry registry) =>
            registry.Kick(id) ? Results.Ok(new { kicked = 1 }) : Results.NotFound(new { kicked = 0 })).WithMetadata(guarded);
        app.MapDelete("/users/{user}/sessions", (string user, Pop3SessionRegistry registry) =>
            Results.Ok(new { kicked = registry.KickUser(user) })).WithMetadata(guarded);
        app.MapGet("/bans", Pop3AdminBans.ListAsync).WithMetadata(guarded);
        app.MapDelete("/bans/{**address}", Pop3AdminBans.LiftAsync).WithMetadata(guarded);
        app.MapDelete("/users/{user}/lockout", Pop3AdminBans.UnlockAsync).WithMetadata(guarded);
        foreach (var source in app.Services.GetServices<IPop3AdminEndpointSource>())
        {
            source.MapEndpoints(app);
        }

        return app;
    }

    internal const string ReadyTag = "ready";

    private static bool IsAuthorized(HttpContext context)
    {
        var token = context.RequestServices.GetRequiredService<IOptions<Pop3AdminOptions>>().Value.Token;
        if (string.IsNullOrEmpty(token))
        {
            return context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        // Hashes of equal length, compared in constant time: neither the token nor its length leaks through timing.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }
}

/// <summary>Marks an endpoint as the admin listener's; <paramref name="NeedsAuthorization"/> asks for the admin token.</summary>
internal sealed record Pop3AdminEndpointMetadata(bool NeedsAuthorization);

/// <summary>One session in <c>GET /sessions</c>.</summary>
/// <param name="Id">The connection id: <c>DELETE /sessions/{id}</c> kicks it.</param>
/// <param name="User">The logged-in user, null before login.</param>
/// <param name="Ip">The client's address (the PROXY protocol's, behind a proxy).</param>
/// <param name="Since">When the client connected.</param>
/// <param name="Seconds">How long it has been connected.</param>
/// <param name="State">AUTHORIZATION, TRANSACTION or UPDATE.</param>
/// <param name="Tls">Whether the connection is encrypted.</param>
/// <param name="Endpoint">The listener's name.</param>
/// <param name="Commands">Commands received.</param>
/// <param name="Bytes">Message octets sent (RETR and TOP).</param>
internal sealed record Pop3SessionView(string Id, string? User, string? Ip, DateTimeOffset Since, long Seconds, string State, bool Tls, string Endpoint, int Commands, long Bytes)
{
    internal static Pop3SessionView Of(Pop3ActiveSession s, DateTimeOffset now) => new(
        s.Id,
        s.User,
        (s.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? s.RemoteEndPoint?.ToString(),
        s.Since,
        (long)(now - s.Since).TotalSeconds,
        s.State.ToString().ToUpperInvariant(),
        s.IsSecure,
        s.Endpoint,
        s.Commands,
        s.BytesSent);
}
