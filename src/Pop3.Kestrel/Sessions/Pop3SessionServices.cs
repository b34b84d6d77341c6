using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Sessions;

/// <summary>What every session of the server shares: settings, the command table, the clock, the loggers.</summary>
internal sealed record Pop3SessionServices(
    Pop3ServerOptions Options,
    Pop3CommandTable Commands,
    Pop3Update Update,
    IPop3GreetingSuffix[] Greetings,
    TimeProvider Time,
    ILogger Logger,
    ILogger Trace,
    Diagnostics.Pop3Metrics? Metrics)
{
    /// <summary>Writes <c>+OK</c>, the greeting, and what each <see cref="IPop3GreetingSuffix"/> adds (APOP's timestamp).</summary>
    public void WriteGreeting(Pop3SessionContext context)
    {
        var greeting = "+OK " + Options.Greeting;
        foreach (var suffix in Greetings)
        {
            if (suffix.GetGreetingSuffix(context) is { Length: > 0 } text)
            {
                greeting += " " + text;
            }
        }

        context.WriteAscii(greeting);
    }
}
