namespace Pop3.Kestrel.Authentication;

/// <summary>
/// A map with a fixed capacity that evicts the least recently used entry to admit a new one, so that guesses from
/// millions of distinct addresses or user names cost bounded memory. Not thread-safe: the throttle's lock guards it.
/// </summary>
internal sealed class Pop3TrackingTable<TValue>(int capacity)
    where TValue : class
{
    private readonly Dictionary<string, LinkedListNode<(string Key, TValue Value)>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, TValue Value)> _order = new();

    public int Count => _map.Count;

    public int Capacity => capacity;

    /// <summary>The entry under <paramref name="key"/>, now the most recently used; null if there is none.</summary>
    public TValue? Get(string key)
    {
        if (!_map.TryGetValue(key, out var node))
        {
            return null;
        }

        _order.Remove(node);
        _order.AddFirst(node);
        return node.Value.Value;
    }

    /// <summary>The entry under <paramref name="key"/>, made by <paramref name="create"/> if there was none (evicting the least recently used at capacity).</summary>
    public TValue GetOrAdd(string key, Func<TValue> create) => Get(key) ?? Add(key, create());

    public TValue Add(string key, TValue value)
    {
        if (_map.TryGetValue(key, out var existing))
        {
            _order.Remove(existing);
            _map.Remove(key);
        }
        else if (_map.Count >= capacity && _order.Last is { } oldest)
        {
            _order.RemoveLast();
            _map.Remove(oldest.Value.Key);
        }

        _map[key] = _order.AddFirst((key, value));
        return value;
    }

    public bool Remove(string key)
    {
        if (!_map.Remove(key, out var node))
        {
            return false;
        }

        _order.Remove(node);
        return true;
    }

    /// <summary>The entries, most recently used first.</summary>
    public IEnumerable<(string Key, TValue Value)> Entries => _order;
}
