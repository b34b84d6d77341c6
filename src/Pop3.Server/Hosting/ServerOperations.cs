using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;
using Serilog;
using Serilog.Events;
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
            log.ReadFrom.Configuration(configuration).ReadFrom.Services(services)
                .Filter.ByExcluding(e => IsReplacedByOwnLine(e, services));
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
                    throw new OptionsValidationException("Serilog:Console:Format", typeof(string),
                        [$"Serilog:Console:Format is '{configuration["Serilog:Console:Format"]}'; it must be one of: text, json, none."]);
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
    /// Kestrel's "Now listening on: http://..." for a POP3 or LMTP listener (the server says "POP3 listening on ...
    /// (plain)" or "LMTP listening on ..." itself, with the key), and the host's and Kestrel's stack traces of a failed start (the server prints one
    /// message naming the key or the listener, and the trace with --verbose).
    /// </summary>
    private static bool IsReplacedByOwnLine(LogEvent log, IServiceProvider services)
    {
        var source = log.Properties.TryGetValue("SourceContext", out var context) && context is ScalarValue { Value: string name } ? name : "";
        var template = log.MessageTemplate.Text;
        if (source == "Microsoft.Hosting.Lifetime" && template.StartsWith("Now listening on", StringComparison.Ordinal)
            && log.Properties.TryGetValue("address", out var value) && value is ScalarValue { Value: string address })
        {
            var listeners = services.GetService<Pop3Listeners>();
            var lmtp = services.GetService<Pop3.Kestrel.Lmtp.Pop3LmtpListeners>();
            return (listeners is not null && listeners.Names.Any(n => address.EndsWith("://" + listeners.EndPointOf(n), StringComparison.OrdinalIgnoreCase)))
                || (lmtp is not null && lmtp.Names.Any(n => address.EndsWith(lmtp.DescribeEndPoint(n), StringComparison.OrdinalIgnoreCase)));
        }

        return log.Exception is not null && log.Level >= LogEventLevel.Error
            && ((source == "Microsoft.Extensions.Hosting.Internal.Host" && template.StartsWith("Hosting failed to start", StringComparison.Ordinal))
                || (source.StartsWith("Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal) && template.StartsWith("Unable to start Kestrel", StringComparison.Ordinal)));
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
        // A value that is not a boolean is reported by the settings check when the host starts.
        if (bool.TryParse(builder.Configuration[InlineKey], out var inline) && !inline)
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

    /// <summary>The setting that turns inline socket I/O off.</summary>
    public const string InlineKey = "Pop3:Sockets:Inline";

    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
}
