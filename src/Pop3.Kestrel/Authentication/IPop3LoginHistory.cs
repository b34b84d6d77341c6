using System.Collections.Concurrent;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// When each user last logged in, for enforcing LOGIN-DELAY (RFC 2449 §6.5). In memory by default; register
/// another implementation (a shared store) when several servers serve the same users. Users are named by the
/// mailbox their login opens (the authenticator's canonical name).
/// </summary>
public interface IPop3LoginHistory
{
    /// <summary>The time of <paramref name="user"/>'s last successful login, or null if none is known.</summary>
    ValueTask<DateTimeOffset?> GetLastLoginAsync(string user, CancellationToken cancellationToken);

    /// <summary>Records a successful login of <paramref name="user"/> at <paramref name="time"/>.</summary>
    ValueTask RecordLoginAsync(string user, DateTimeOffset time, CancellationToken cancellationToken);
}

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
