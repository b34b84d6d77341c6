using Serilog;
using Serilog.Formatting.Compact;

namespace Pop3.Server.Hosting;

/// <summary>What the ready-to-run server adds around the POP3 framework: logging and systemd.</summary>
internal static class ServerOperations
{
    /// <summary>The readable console line used in development (<c>Serilog:Console:Format</c> = <c>text</c>).</summary>
    public const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj} {Properties:j}{NewLine}{Exception}";

    /// <summary>
    /// Serilog from configuration (<c>Serilog:MinimumLevel</c> with per-namespace overrides, extra sinks under
    /// <c>Serilog:WriteTo</c>, sinks registered as services) plus one console sink chosen by
    /// <c>Serilog:Console:Format</c>: <c>text</c> (default), <c>json</c> (compact JSON, one event per line, as the
    /// container image sets) or <c>none</c>. Under systemd, the service type and journal log format follow.
    /// </summary>
    public static WebApplicationBuilder AddServerOperations(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSerilog((services, log) =>
        {
            log.ReadFrom.Configuration(configuration).ReadFrom.Services(services);
            switch (configuration["Serilog:Console:Format"]?.Trim().ToLowerInvariant())
            {
                case "json":
                    log.WriteTo.Console(new RenderedCompactJsonFormatter());
                    break;
                case "none":
                    break;
                case null or "" or "text":
                    log.WriteTo.Console(outputTemplate: configuration["Serilog:Console:OutputTemplate"] ?? TextTemplate,
                        formatProvider: System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new InvalidOperationException(
                        $"Serilog:Console:Format is '{configuration["Serilog:Console:Format"]}'; it must be text, json or none.");
            }
        });
        builder.Services.AddSystemd();
        return builder;
    }
}
