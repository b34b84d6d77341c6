using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Admin;

/// <summary>Registers the admin listener.</summary>
public static class Pop3AdminServiceCollectionExtensions
{
    /// <summary>
    /// Adds the admin HTTP listener (<c>Pop3:Admin</c>): OpenTelemetry metrics of the <c>Pop3.Kestrel</c> meter
    /// (and Kestrel's) exported for Prometheus, health checks, session admin. Map its endpoints with
    /// <see cref="Pop3AdminEndpoints.MapPop3Admin"/>.
    /// </summary>
    public static Pop3ServerBuilder AddAdmin(this Pop3ServerBuilder builder)
    {
        var services = builder.Services;
        services.AddPop3Settings<Pop3AdminOptions>(Pop3AdminOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3AdminOptions>, Pop3AdminOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, Pop3AdminKestrelSetup>());
        services.TryAddSingleton<Pop3AdminListener>();
        services.AddHostedService<Pop3AdminStartupLog>();
        services.AddHealthChecks().AddCheck<Pop3ReadinessCheck>("pop3", tags: [Pop3AdminEndpoints.ReadyTag]);
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Pop3ServerOptions.MeterName, "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        return builder;
    }
}
