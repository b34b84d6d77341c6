using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Admin;

/// <summary>The admin listener: add it to a POP3 server, map its endpoints, put more endpoints on it, find its address.</summary>
public static class Pop3AdminExtensions
{
    /// <summary>
    /// Adds the admin HTTP listener (<c>Pop3:Admin</c>): OpenTelemetry metrics of the <c>Pop3.Kestrel</c> meter
    /// (and Kestrel's) exported for Prometheus, health checks, session admin. Map its endpoints with
    /// <see cref="MapPop3Admin"/>.
    /// </summary>
    public static Pop3ServerBuilder AddAdmin(this Pop3ServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddPop3Settings<Pop3AdminOptions>(Pop3AdminOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3AdminOptions>, Pop3AdminOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, Pop3AdminKestrelSetup>());
        services.TryAddSingleton<Pop3AdminListener>();
        services.AddHostedService<Pop3AdminStartupLog>();
        services.AddHealthChecks().AddPop3Readiness(Pop3AdminEndpoints.ReadyTag);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Pop3ServerOptions.MeterName, "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c>, <c>GET /sessions</c>, <c>DELETE /sessions/{id}</c>,
    /// <c>DELETE /users/{user}/sessions</c>, <c>GET /bans</c>, <c>DELETE /bans/{address}</c> and
    /// <c>DELETE /users/{user}/lockout</c>, and the endpoints of every registered <see cref="IPop3AdminEndpointSource"/>.
    /// Requests that arrive on any other listener get 404.
    /// </summary>
    public static WebApplication MapPop3Admin(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return Pop3AdminEndpoints.Map(app);
    }

    /// <summary>
    /// The endpoint answers only on the admin listener (404 elsewhere); with <paramref name="requireToken"/> it also needs
    /// the admin token (<c>Pop3:Admin:Token</c>, or a loopback client without one), like <c>/sessions</c>.
    /// </summary>
    public static TBuilder OnAdminListener<TBuilder>(this TBuilder builder, bool requireToken)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Pop3AdminEndpointMetadata(requireToken));

    /// <summary>
    /// The address the admin listener is bound to (the real port once the server runs, also for <c>Port</c> 0), or
    /// null when there is none (<see cref="AddAdmin"/> not called, or <c>Pop3:Admin:Port</c> not set).
    /// </summary>
    public static IPEndPoint? GetPop3AdminEndPoint(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetService<Pop3AdminListener>()?.EndPoint;
    }
}
