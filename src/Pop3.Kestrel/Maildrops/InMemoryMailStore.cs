using System.Collections.Concurrent;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Maildrops;

/// <summary>Mailboxes held in memory, for tests, samples and generated mail. Thread-safe.</summary>
public sealed class InMemoryMailStore
{
    private readonly ConcurrentDictionary<string, Mailbox> _mailboxes = new(StringComparer.Ordinal);
    private long _nextId;

    /// <summary>Adds a message to <paramref name="mailbox"/> and returns its unique id.</summary>
    public string Add(string mailbox, ReadOnlyMemory<byte> message)
    {
        var id = $"mem{Interlocked.Increment(ref _nextId):D8}";
        var box = _mailboxes.GetOrAdd(mailbox, static _ => new Mailbox());
        lock (box)
        {
            box.Messages.Add(new StoredMessage(id, message.ToArray(), Pop3MessageWriter.Measure(message.Span)));
        }

        return id;
    }

    /// <summary>The ids of the messages now in <paramref name="mailbox"/>.</summary>
    public IReadOnlyList<string> Ids(string mailbox)
    {
        if (!_mailboxes.TryGetValue(mailbox, out var box))
        {
            return [];
        }

        lock (box)
        {
            return box.Messages.Select(m => m.Id).ToArray();
        }
    }

    /// <summary>The stored bytes of a message, or null if it is gone.</summary>
    public byte[]? Get(string mailbox, string id)
    {
        if (!_mailboxes.TryGetValue(mailbox, out var box))
        {
            return null;
        }

        lock (box)
        {
            return box.Messages.FirstOrDefault(m => m.Id == id)?.Bytes;
        }
    }

    /// <summary>Removes the messages of <paramref name="mailbox"/> with the given ids; ids not there are ignored.</summary>
    public void Remove(string mailbox, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (!_mailboxes.TryGetValue(mailbox, out var box))
        {
            return;
        }

        var set = ids.ToHashSet(StringComparer.Ordinal);
        lock (box)
        {
            box.Messages.RemoveAll(m => set.Contains(m.Id));
        }
    }

    internal Mailbox Open(string mailbox) => _mailboxes.GetOrAdd(mailbox, static _ => new Mailbox());

    internal sealed class Mailbox
    {
        public List<StoredMessage> Messages { get; } = [];

        public SemaphoreSlim Lock { get; } = new(1, 1);
    }

    internal sealed record StoredMessage(string Id, byte[] Bytes, long Size);
}
