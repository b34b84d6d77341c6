using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
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
        },
        // Each host logs through its own logger, never the static Log.Logger: otherwise hosts in one process (the
        // tests' parallel servers) write to whichever host set it last, and the first to stop silences the rest.
        preserveStaticLogger: true);
        builder.Services.AddSystemd();
        builder.UseInlineSocketIo();
        return builder;
    }

    /// <summary>
    /// <c>Pop3:Sockets:Inline</c> (default true): socket completions run on the socket event threads
    /// (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>, unless the environment already sets it) and Kestrel
    /// runs the transport and the session inline too (<see cref="SocketTransportOptions.UnsafePreferInlineScheduling"/>).
    /// A lockstep command then costs no thread-pool hand-offs; the session itself moves the commands that may block
    /// (logins, RETR and TOP, STLS, QUIT's deletions) to the thread pool. See docs/performance.md.
    /// </summary>
    public static WebApplicationBuilder UseInlineSocketIo(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue("Pop3:Sockets:Inline", true))
        {
            return builder;
        }

        // Read once, when the first socket is created, so this must run before the host starts.
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }

        builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        return builder;
    }

    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
}
