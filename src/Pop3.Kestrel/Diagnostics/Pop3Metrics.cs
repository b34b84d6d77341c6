using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>
/// The server's instruments on the <c>Pop3.Kestrel</c> meter (System.Diagnostics.Metrics): any exporter that
/// listens to the meter sees them (Prometheus on the admin listener, OTLP, dotnet-counters).
/// </summary>
internal sealed class Pop3Metrics
{
    /// <summary>The meter's name, for <c>AddMeter</c>.</summary>
    public const string MeterName = Hosting.Pop3ServerOptions.MeterName;

    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly UpDownCounter<long> _activeSessions;
    private readonly Counter<long> _sessions;
    private readonly Counter<long> _commands;
    private readonly Counter<long> _logins;
    private readonly Counter<long> _bytesSent;
    private readonly Histogram<double> _retrDuration;
    private readonly Histogram<double> _loginDuration;
    private readonly Counter<long> _tlsHandshakes;
    private readonly Counter<long> _lockConflicts;

    /// <summary>Creates the instruments on a meter from <paramref name="meters"/>.</summary>
    public Pop3Metrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _activeSessions = meter.CreateUpDownCounter<long>("pop3.sessions.active", "{session}", "Sessions now connected.");
        _sessions = meter.CreateCounter<long>("pop3.sessions", "{session}", "Sessions ended, by how they ended (pop3.session.end).");
        _commands = meter.CreateCounter<long>("pop3.commands", "{command}", "Commands executed, by verb (pop3.command) and result (pop3.result); an AUTH with a SASL exchange counts once, when the exchange ends.");
        _logins = meter.CreateCounter<long>("pop3.logins", "{login}", "Login attempts, by mechanism (pop3.mechanism: USER, APOP or the SASL mechanism) and result.");
        _bytesSent = meter.CreateCounter<long>("pop3.message.bytes_sent", "By", "Message octets sent by RETR and TOP (POP3 sizes, before dot-stuffing).");
        _retrDuration = meter.CreateHistogram("pop3.retr.duration", "s", "Time to send one message with RETR.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _loginDuration = meter.CreateHistogram("pop3.login.duration", "s", "Time to verify credentials and open the maildrop, by result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _tlsHandshakes = meter.CreateCounter<long>("pop3.tls.handshakes", "{handshake}", "TLS handshakes, by mode (implicit or stls) and result.");
        _lockConflicts = meter.CreateCounter<long>("pop3.maildrop.lock_conflicts", "{conflict}", "Logins refused because the maildrop was locked by another session.");
    }

    internal void SessionStarted() => _activeSessions.Add(1);

    internal void SessionEnded(Pop3SessionEnd end)
    {
        _activeSessions.Add(-1);
        _sessions.Add(1, new KeyValuePair<string, object?>("pop3.session.end", EndName(end)));
    }

    /// <summary>
    /// One client line was handled: <paramref name="verb"/> is the verb's name (a fixed string per registered verb, or
    /// "unknown"), null for a line not counted as a command (a SASL continuation); <paramref name="mechanism"/> is set
    /// when the line finished or failed a login.
    /// </summary>
    internal void LineCompleted(Pop3Command? command, string? verb, string? mechanism, Pop3CommandResult result, TimeSpan elapsed, long messageBytes)
    {
        var failed = result == Pop3CommandResult.Failed;
        if (verb is not null)
        {
            _commands.Add(1, new("pop3.command", verb), new("pop3.result", failed ? "failed" : "ok"));
        }

        if (messageBytes > 0)
        {
            _bytesSent.Add(messageBytes);
        }

        if (command == Pop3Command.Retr && !failed)
        {
            _retrDuration.Record(elapsed.TotalSeconds);
        }

        if (mechanism is not null && (failed || result == Pop3CommandResult.LoggedIn))
        {
            var outcome = new KeyValuePair<string, object?>("pop3.result", failed ? "failed" : "succeeded");
            _logins.Add(1, new("pop3.mechanism", mechanism), outcome);
            _loginDuration.Record(elapsed.TotalSeconds, outcome);
        }
    }

    /// <summary>The login mechanism a line starts (USER for PASS, APOP, or AUTH's SASL mechanism), or null for other commands.</summary>
    internal static string? Mechanism(Pop3Command command, in ReadOnlySequence<byte> line)
    {
        switch (command)
        {
            case Pop3Command.Pass:
                return "USER";
            case Pop3Command.Apop:
                return "APOP";
            case Pop3Command.Auth:
                Span<byte> start = stackalloc byte[32];
                var length = (int)Math.Min(line.Length, start.Length);
                line.Slice(0, length).CopyTo(start);
                var name = start[..length];
                name = name.IndexOf((byte)' ') is var space and >= 0 ? name[(space + 1)..] : [];
                name = name.IndexOf((byte)' ') is var end and >= 0 ? name[..end] : name;
                foreach (var known in KnownMechanisms)
                {
                    if (Ascii.EqualsIgnoreCase(name, known))
                    {
                        return known;
                    }
                }

                return "other";
            default:
                return null;
        }
    }

    // Tag values are fixed strings, so a client cannot blow up the number of series.
    private static readonly string[] KnownMechanisms =
        ["PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS", "XOAUTH2", "OAUTHBEARER", "EXTERNAL", "GSSAPI", "ANONYMOUS"];

    internal void TlsHandshake(string mode, bool succeeded) =>
        _tlsHandshakes.Add(1, new("pop3.tls.mode", mode), new("pop3.result", succeeded ? "succeeded" : "failed"));

    internal void LockConflict() => _lockConflicts.Add(1);

    private static string EndName(Pop3SessionEnd end) => end switch
    {
        Pop3SessionEnd.Quit => "quit",
        Pop3SessionEnd.Dropped => "dropped",
        Pop3SessionEnd.Timeout => "timeout",
        Pop3SessionEnd.TooManyErrors => "too_many_errors",
        Pop3SessionEnd.Shutdown => "shutdown",
        Pop3SessionEnd.Kicked => "kicked",
        Pop3SessionEnd.Evicted => "evicted",
        _ => "error",
    };
}
