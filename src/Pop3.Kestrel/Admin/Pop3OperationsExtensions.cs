using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Pop3.Kestrel.Admin;

/// <summary>The operator's view of a running server over HTTP: its sessions, bans and lockouts, and whether it is ready.</summary>
public static class Pop3OperationsExtensions
{
    /// <summary>
    /// Maps <c>GET /sessions</c>, <c>DELETE /sessions/{id}</c>, <c>DELETE /users/{user}/sessions</c>, <c>GET /bans</c>,
    /// <c>DELETE /bans/{address}</c> and <c>DELETE /users/{user}/lockout</c> (JSON). They carry no authorization of their
    /// own: put the returned group behind one (the Admin package serves it only on its listener, with its token).
    /// </summary>
    public static RouteGroupBuilder MapPop3Operations(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.MapGet("/sessions", (Pop3SessionRegistry registry, TimeProvider time) =>
            Results.Ok(registry.Sessions.Select(s => Pop3SessionView.Of(s, time.GetUtcNow()))));
        group.MapDelete("/sessions/{id}", (string id, Pop3SessionRegistry registry) =>
            registry.Kick(id) ? Results.Ok(new { kicked = 1 }) : Results.NotFound(new { kicked = 0 }));
        group.MapDelete("/users/{user}/sessions", (string user, Pop3SessionRegistry registry) =>
            Results.Ok(new { kicked = registry.KickUser(user) }));
        group.MapGet("/bans", Pop3AdminBans.ListAsync);
        group.MapDelete("/bans/{**address}", Pop3AdminBans.LiftAsync);
        group.MapDelete("/users/{user}/lockout", Pop3AdminBans.UnlockAsync);
        return group;
    }

    /// <summary>
    /// Adds the server's readiness check, tagged <paramref name="tags"/>: unhealthy once the host starts draining, when an
    /// implicit-TLS listener has no certificate, or when a backend's probe says it cannot be reached.
    /// </summary>
    public static IHealthChecksBuilder AddPop3Readiness(this IHealthChecksBuilder builder, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<Pop3ReadinessCheck>("pop3", tags: tags);
    }
}
