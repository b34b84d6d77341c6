using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Sessions;

/// <summary>Makes sessions from the singletons they share and the scope of their connection.</summary>
public sealed class Pop3SessionFactory(
    IOptions<Pop3ServerOptions> options, Pop3CommandTable commands, TimeProvider time, ILoggerFactory loggers, Diagnostics.Pop3Metrics? metrics = null)
{
    private readonly ILogger _logger = loggers.CreateLogger<Pop3Session>();
    private readonly ILogger _trace = loggers.CreateLogger(Logging.Pop3ProtocolTrace.Category);

    /// <summary>A new session whose per-connection services (the maildrop) come from <paramref name="scope"/>.</summary>
    public Pop3Session Create(IServiceProvider scope) => new(options.Value, commands, scope, time, _logger) { Metrics = metrics, Trace = _trace };
}
