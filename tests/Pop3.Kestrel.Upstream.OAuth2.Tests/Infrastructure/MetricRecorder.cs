using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

/// <summary>Sums the counters of the gateway's OAuth 2.0 instruments created on one meter factory, by instrument and tags.</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _sums = new(StringComparer.Ordinal);

    public MetricRecorder(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name.StartsWith("pop3.upstream.oauth2.", StringComparison.Ordinal) && instrument.Meter.Scope == meters)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + string.Concat(tags.ToArray().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"|{t.Key}={t.Value}"));
            _sums.AddOrUpdate(key, value, (_, sum) => sum + value);
        });
        _listener.Start();
    }

    /// <summary>The sum for <paramref name="name"/> with exactly these tags, e.g. <c>("oauth2.reason", "refused")</c>.</summary>
    public long Sum(string name, params (string Key, string Value)[] tags) =>
        _sums.GetValueOrDefault(name + string.Concat(tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"|{t.Key}={t.Value}")));

    public void Dispose() => _listener.Dispose();
}
