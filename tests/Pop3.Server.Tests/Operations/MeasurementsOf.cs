using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Diagnostics;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

/// <summary>
/// Listens to the <c>Pop3.Kestrel</c> meter of one test server only (its IMeterFactory is the meter's
/// scope), so servers of tests running in parallel do not add to the counts.
/// </summary>
public sealed class MeasurementsOf : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _seen = new();
    private readonly ConcurrentQueue<TaskCompletionSource> _next = new();

    public MeasurementsOf(Pop3ServerFactory server)
    {
        var meters = server.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Pop3Metrics.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Sum(m => m.Value);

    public int Count(string instrument, params (string Key, string Value)[] tags) =>
        Matching(instrument, tags).Count();

    public Task WaitForAsync(string instrument) =>
        _seen.GetOrAdd(instrument, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Waits until <paramref name="instrument"/> has recorded at least <paramref name="count"/> measurements.</summary>
    public async Task WaitForCountAsync(string instrument, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Count(instrument) < count)
        {
            var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _next.Enqueue(next);
            if (Count(instrument) >= count)
            {
                break;
            }

            await next.Task.WaitAsync(timeout.Token);
        }
    }

    public void Dispose() => _listener.Dispose();

    private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument
            && tags.All(t => m.Tags.Any(tag => tag.Key == t.Key && Equals(tag.Value, t.Value))));

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        _measurements.Enqueue((instrument.Name, value, tags.ToArray()));
        _seen.GetOrAdd(instrument.Name, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        while (_next.TryDequeue(out var waiter))
        {
            waiter.TrySetResult();
        }
    }
}
