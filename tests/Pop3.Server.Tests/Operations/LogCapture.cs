using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Pop3.Server.Tests.Operations;

/// <summary>A Serilog sink that keeps every event; Program's <c>ReadFrom.Services</c> picks it up.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly List<(Func<LogEvent, bool> Match, TaskCompletionSource<LogEvent> Found)> _waiters = [];

    public ConcurrentQueue<LogEvent> Events { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        Events.Enqueue(logEvent);
        lock (_waiters)
        {
            foreach (var waiter in _waiters.Where(w => w.Match(logEvent)).ToList())
            {
                waiter.Found.TrySetResult(logEvent);
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>The first event, logged already or to come, that <paramref name="match"/> accepts.</summary>
    public Task<LogEvent> WaitForAsync(Func<LogEvent, bool> match)
    {
        lock (_waiters)
        {
            if (Events.FirstOrDefault(match) is { } found)
            {
                return Task.FromResult(found);
            }

            var waiter = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, waiter));
            return waiter.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>Each event as one line: level, rendered message, every property (scopes included) and the exception.</summary>
    public IReadOnlyList<string> Lines() =>
        [.. Events.Select(e => $"{e.Level} {e.RenderMessage()} {string.Join(' ', e.Properties.Select(p => $"{p.Key}={p.Value}"))} {e.Exception}")];
}
