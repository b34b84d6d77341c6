using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Counts one session's command lines for the metrics. An AUTH that opens a SASL exchange is counted when the
/// exchange ends, with how it ended: its first line only asked for the credentials.
/// </summary>
internal sealed class Pop3CommandMeter(Pop3Metrics? metrics, TimeProvider time)
{
    private string? _mechanism;
    private bool _authPending;

    public (long Timestamp, long Sent) Start(Pop3SessionContext context) => (time.GetTimestamp(), Sent(context));

    /// <summary>A command line ran; <c>name</c> is the verb's name (<see cref="Pop3CommandNames"/>), the metric's tag.</summary>
    public void Completed(
        Pop3SessionContext context, Pop3Command command, string name, ReadOnlyMemory<byte> line, Pop3CommandResult result, (long Timestamp, long Sent) started)
    {
        string? counted = name;
        if (context.Continuation is not null && command == Pop3Command.Auth)
        {
            _authPending = true;
            counted = null;
        }

        if (metrics is not null)
        {
            _mechanism = Pop3Metrics.Mechanism(command, new System.Buffers.ReadOnlySequence<byte>(line));
            Record(context, command, counted, result, started);
        }
    }

    /// <summary>A line of a multi-line exchange (SASL) ran.</summary>
    public void Continued(Pop3SessionContext context, Pop3CommandResult result, (long Timestamp, long Sent) started)
    {
        string? counted = null;
        if (context.Continuation is null && _authPending)
        {
            _authPending = false;
            counted = Pop3CommandNames.Of(Pop3Command.Auth);
        }

        if (metrics is not null)
        {
            Record(context, counted is null ? null : Pop3Command.Auth, counted, result, started);
        }
    }

    private void Record(Pop3SessionContext context, Pop3Command? command, string? name, Pop3CommandResult result, (long Timestamp, long Sent) started) =>
        metrics!.LineCompleted(command, name, _mechanism, result, time.GetElapsedTime(started.Timestamp), Sent(context) - started.Sent);

    private static long Sent(Pop3SessionContext context) => context.Counters.SentBytes;
}
