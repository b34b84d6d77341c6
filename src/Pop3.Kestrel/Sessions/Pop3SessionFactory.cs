using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Diagnostics;

namespace Pop3.Kestrel.Sessions;

/// <summary>Makes sessions from the singletons they share and the scope of their connection.</summary>
internal sealed class Pop3SessionFactory(
    IOptions<Pop3ServerOptions> options,
    Pop3CommandTable commands,
    Pop3Update update,
    IEnumerable<IPop3GreetingSuffix> greetings,
    TimeProvider time,
    ILoggerFactory loggers,
    Diagnostics.Pop3Metrics? metrics = null)
{
    private readonly Pop3SessionServices _shared = new(
        options.Value, commands, update, greetings.ToArray(), time, loggers.CreateLogger<Pop3Session>(), loggers.CreateLogger(Pop3ProtocolTrace.Category), metrics);

    /// <summary>A new session whose per-connection services (the maildrop) come from <paramref name="scope"/>.</summary>
    public Pop3Session Create(IServiceProvider scope, Connections.Pop3ConnectionLease? admission = null) => new(_shared, scope) { Admission = admission };
}
