using System.Collections.Concurrent;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// The UIDVALIDITY each IMAP folder had when this process last opened it. A change means every UID, and so every
/// UIDL the gateway gave out, is new: each client downloads the whole folder again. Kept in memory only, so a change
/// while the gateway was stopped goes unnoticed.
/// </summary>
internal sealed class UidValidityRegistry
{
    private readonly ConcurrentDictionary<string, uint> _seen = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="validity"/> for <paramref name="folder"/>; returns the value it replaced when it differs, else null.</summary>
    public uint? Record(string folder, uint validity)
    {
        uint? previous = null;
        _seen.AddOrUpdate(folder, validity, (_, old) =>
        {
            previous = old == validity ? null : old;
            return validity;
        });
        return previous;
    }
}
