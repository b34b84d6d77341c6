using System.Collections.Concurrent;

namespace Pop3.Kestrel.Authentication;

/// <summary>The default <see cref="IPop3LoginHistory"/>: one entry per user that has logged in since start-up.</summary>
internal sealed class InMemoryLoginHistory : IPop3LoginHistory
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _logins = new(StringComparer.Ordinal);

    public ValueTask<DateTimeOffset?> GetLastLoginAsync(string user, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_logins.TryGetValue(user, out var time) ? time : (DateTimeOffset?)null);

    public ValueTask RecordLoginAsync(string user, DateTimeOffset time, CancellationToken cancellationToken)
    {
        _logins[user] = time;
        return ValueTask.CompletedTask;
    }
}
