using System.Collections.Concurrent;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// The POP3 exclusive-access lock (RFC 1939 §8) for upstreams that have none (IMAP): one session per upstream folder in
/// this process. Another gateway process, or an IMAP client, is not held off; that is safe because the IMAP maildrop
/// does everything by UID.
/// </summary>
internal sealed class UpstreamMailboxLocks
{
    private readonly ConcurrentDictionary<string, object> _held = new(StringComparer.Ordinal);

    /// <summary>Takes the lock of <paramref name="key"/> for <paramref name="owner"/>; false if another owner holds it.</summary>
    public bool TryAcquire(string key, object owner) => _held.TryAdd(key, owner) || ReferenceEquals(_held.GetValueOrDefault(key), owner);

    /// <summary>Gives the lock back, if <paramref name="owner"/> holds it.</summary>
    public void Release(string key, object owner) => _held.TryRemove(new KeyValuePair<string, object>(key, owner));
}
