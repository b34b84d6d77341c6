using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Sessions;

/// <summary>
/// The command log and the <c>pop3.commands</c> metric name each verb: a built-in one and one added with
/// <c>AddCommand&lt;T&gt;()</c> by their keywords, anything else "unknown" whatever the client typed, so the number of
/// metric series stays bounded by what the application registered.
/// </summary>
public sealed class VerbNamesTests
{
    [Fact]
    public async Task An_added_verb_is_named_in_the_command_log_and_the_metrics_while_an_unregistered_one_stays_unknown()
    {
        await using var session = new SessionHarness(configure: builder =>
        {
            builder.AddCommand<LastHandler>("xLast", Pop3CommandStates.Transaction);
            builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug));
            builder.Services.AddFakeLogging();
        });
        using var commands = new MetricCollector<long>(session.Services.GetRequiredService<IMeterFactory>(), Pop3Metrics.MeterName, "pop3.commands");

        await session.LoginAsync();
        Assert.Equal("+OK 0", await session.CommandAsync("XLAST"));
        Assert.Equal("+OK 0", await session.CommandAsync("xlast"));
        Assert.Equal("-ERR Unknown command", await session.CommandAsync("XLASTING"));
        Assert.Equal("-ERR Unknown command", await session.CommandAsync("XHELLO world"));
        Assert.Equal("+OK", await session.CommandAsync("NOOP"));

        var counted = commands.GetMeasurementSnapshot()
            .Select(m => ((string)m.Tags["pop3.command"]!, (string)m.Tags["pop3.result"]!))
            .ToArray();
        Assert.Equal([("USER", "ok"), ("PASS", "ok"), ("XLAST", "ok"), ("XLAST", "ok"), ("unknown", "failed"), ("unknown", "failed"), ("NOOP", "ok")], counted);

        var logged = session.Services.GetFakeLogCollector().GetSnapshot()
            .Select(r => r.Message)
            .Where(m => m.StartsWith("Command ", StringComparison.Ordinal))
            .ToArray();
        Assert.Contains("Command XLAST in Transaction", logged);
        Assert.Contains("Command XLAST -> Completed", logged);
        Assert.Contains("Command unknown in Transaction", logged);
        Assert.Contains("Command unknown -> Failed", logged);
        Assert.Contains("Command PASS -> LoggedIn", logged);
        Assert.DoesNotContain(logged, m => m.Contains("XLASTING", StringComparison.Ordinal) || m.Contains("XHELLO", StringComparison.Ordinal));
    }

    /// <summary>XLAST: the highest message number retrieved (RFC 1725's LAST).</summary>
    private sealed class LastHandler : IPop3CommandHandler
    {
        public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
        {
            Pop3Replies.WriteLine(context.Output, "+OK "u8, context.Maildrop!.HighestRetrieved, "\r\n"u8);
            return ValueTask.FromResult(Pop3CommandResult.Completed);
        }
    }
}
