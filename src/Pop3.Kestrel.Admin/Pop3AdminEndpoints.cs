using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

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

        app.MapPop3Operations().WithMetadata(guarded);
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
