using System.Diagnostics;
using System.Diagnostics.Metrics;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Upstream;

/// <summary>The gateway's instruments, on the server's <see cref="Pop3ServerOptions.MeterName"/> meter (so <c>/metrics</c> shows them).</summary>
internal sealed class UpstreamMetrics
{
    private readonly Histogram<double> _duration;

    public UpstreamMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Pop3ServerOptions.MeterName);
        _duration = meter.CreateHistogram("pop3.upstream.duration", "s",
            "Time the upstream server took for one operation (login, list, fetch, commit), by protocol and result.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    /// <summary>Records one operation that started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Record(UpstreamProtocol protocol, string operation, bool succeeded, long started) =>
        _duration.Record(
            Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("pop3.upstream.protocol", protocol == UpstreamProtocol.Imap ? "imap" : "pop3"),
            new KeyValuePair<string, object?>("pop3.upstream.operation", operation),
            new KeyValuePair<string, object?>("pop3.result", succeeded ? "ok" : "failed"));
}
