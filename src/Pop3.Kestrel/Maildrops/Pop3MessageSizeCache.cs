using System.Collections.Concurrent;

namespace Pop3.Kestrel.Maildrops;

/// <summary>
/// Sizes the framework had to measure because a backend did not know them, remembered by mailbox and
/// id so that the next login does not read those messages again.
/// </summary>
internal sealed class Pop3MessageSizeCache
{
    // Bounded so a huge store cannot grow the process without limit; when full it starts over.
    private const int Capacity = 1_000_000;
    private readonly ConcurrentDictionary<(string Mailbox, string Id), long> _sizes = new();

    /// <summary>A size measured earlier, if any.</summary>
    public bool TryGet(string mailbox, string id, out long size) => _sizes.TryGetValue((mailbox, id), out size);

    /// <summary>Remembers a measured size.</summary>
    public void Set(string mailbox, string id, long size)
    {
        if (_sizes.Count >= Capacity)
        {
            _sizes.Clear();
        }

        _sizes[(mailbox, id)] = size;
    }
}
