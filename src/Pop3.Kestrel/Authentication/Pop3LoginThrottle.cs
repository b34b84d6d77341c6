using System.Net;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The one guess limiter every login path asks, atomically, before a password (or digest, proof or token) is checked,
/// whatever the number of connections: per client address (IPv6 by /64), per user name and per user+address pair,
/// each a sliding window of failures (<see cref="Pop3GuessWindow"/>). A guess is refused unchecked when its address is
/// banned or full (<see cref="Pop3AuthenticationOptions.BanAfterFailures"/>), when its user is locked out
/// (<see cref="Pop3AuthenticationOptions.LockoutAfterFailures"/>) or when its pair is full
/// (<see cref="Pop3AuthenticationOptions.MaxFailuresPerUserAddress"/>); the first two spare a user for whom the address
/// is familiar. Each failure lengthens the next reply's wait (doubling from
/// <see cref="Pop3AuthenticationOptions.FailureDelay"/> up to <see cref="Pop3AuthenticationOptions.MaxFailureDelay"/>).
/// Memory is bounded: each table keeps at most <see cref="Pop3AuthenticationOptions.TrackedEntries"/> entries and
/// evicts the least recently used. Time comes from <see cref="TimeProvider"/>, so tests do not sleep. These windows
/// are a node's own; with the PostgreSQL store the guard counts in the database instead (one window per key for the
/// whole fleet), and this class keeps only the node's view of bans and familiar addresses.
/// </summary>
internal sealed class Pop3LoginThrottle
{
    private readonly Pop3AuthenticationOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Pop3TrackingTable<Pop3GuessWindow> _addresses;
    private readonly Pop3TrackingTable<Pop3GuessWindow> _users;
    private readonly Pop3TrackingTable<Pop3GuessWindow> _pairs;
    private readonly Pop3TrackingTable<Pop3AddressBan> _bans;
    private readonly Pop3TrackingTable<object> _homes;

    /// <summary>Creates an empty throttle.</summary>
    public Pop3LoginThrottle(IOptions<Pop3AuthenticationOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        var capacity = Math.Max(1, _options.TrackedEntries);
        _addresses = new(capacity);
        _users = new(capacity);
        _pairs = new(capacity);
        _bans = new(capacity);
        _homes = new(capacity);
    }

    /// <summary>Bans in force now, as this node knows them.</summary>
    internal int ActiveBans
    {
        get
        {
            var now = _time.GetUtcNow();
            lock (_lock)
            {
                return _bans.Entries.Count(b => b.Value.Until > now);
            }
        }
    }

    /// <summary>Entries in the address, user and pair tables (for tests of the memory bound).</summary>
    internal (int Addresses, int Users, int Pairs) Tracked
    {
        get
        {
            lock (_lock)
            {
                return (_addresses.Count, _users.Count, _pairs.Count);
            }
        }
    }

    /// <summary>
    /// Asks whether a guess at <paramref name="user"/> (lower case; null when not known before checking) from
    /// <paramref name="address"/> (a key of <see cref="Pop3AddressKey"/>) may be checked. On yes the guess holds a place
    /// in each window until <see cref="Fail"/> or <see cref="End"/>; on no, <paramref name="refusal"/> says why.
    /// </summary>
    internal Pop3GuessTicket? TryBegin(string address, string? user, bool familiar, out Pop3GuessRefusal refusal)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (!familiar && _bans.Get(address) is { } ban && ban.Until > now)
            {
                refusal = Pop3GuessRefusal.AddressBanned;
                return null;
            }

            var userWindow = user is null ? null : _users.GetOrAdd(user, () => NewUserWindow(now));
            if (!familiar && userWindow is not null && userWindow.BlockedUntil > now)
            {
                refusal = Pop3GuessRefusal.UserLockedOut;
                return null;
            }

            var pairWindow = user is null || _options.MaxFailuresPerUserAddress <= 0 ? null : _pairs.GetOrAdd(PairKey(user, address), () => NewPairWindow(now));
            if (pairWindow is not null && !pairWindow.HasRoom(now))
            {
                refusal = Pop3GuessRefusal.UserAddressLimit;
                return null;
            }

            var addressWindow = _addresses.GetOrAdd(address, () => NewAddressWindow(now));
            if (!familiar && !addressWindow.HasRoom(now))
            {
                refusal = Pop3GuessRefusal.AddressBanned;
                return null;
            }

            if (!familiar && userWindow is not null && !userWindow.HasRoom(now))
            {
                refusal = Pop3GuessRefusal.UserLockedOut;
                return null;
            }

            addressWindow.InFlight++;
            if (userWindow is not null)
            {
                userWindow.InFlight++;
            }

            if (pairWindow is not null)
            {
                pairWindow.InFlight++;
            }

            refusal = Pop3GuessRefusal.None;
            return new Pop3GuessTicket(address, user, addressWindow, userWindow, pairWindow);
        }
    }

    /// <summary>
    /// Counts a failed guess (one allowed by <see cref="TryBegin"/>, or one that failed before any password was
    /// checked) against its address, user and pair; starts a ban or a lockout when a limit is reached.
    /// </summary>
    internal Pop3GuessFailure Fail(Pop3GuessTicket? ticket, string address, string? user)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            ticket?.Release();
            var addressWindow = _addresses.GetOrAdd(address, () => NewAddressWindow(now));
            addressWindow.Fail(now);
            var addressFailures = addressWindow.Failures(now);
            var ban = BanIfReached(address, addressFailures, now);

            var userFailures = 0;
            DateTimeOffset? lockedOutUntil = null;
            if (user is not null)
            {
                var userWindow = _users.GetOrAdd(user, () => NewUserWindow(now));
                userWindow.Fail(now);
                userFailures = userWindow.Failures(now);
                if (_options.LockoutAfterFailures > 0 && userFailures >= _options.LockoutAfterFailures && userWindow.BlockedUntil <= now)
                {
                    userWindow.BlockedUntil = now + _options.LockoutDuration;
                    lockedOutUntil = userWindow.BlockedUntil;
                }

                if (_options.MaxFailuresPerUserAddress > 0)
                {
                    _pairs.GetOrAdd(PairKey(user, address), () => NewPairWindow(now)).Fail(now);
                }
            }

            return new Pop3GuessFailure(DelayAfter(addressFailures), addressFailures, ban, userFailures, lockedOutUntil);
        }
    }

    /// <summary>
    /// A guess ended without failing (it succeeded, or could not be checked): its places are given back, and keys
    /// left with nothing to remember are dropped, so everyday logins do not fill the tables.
    /// </summary>
    internal void End(Pop3GuessTicket ticket)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            ticket.Release();
            DropIfIdle(_addresses, ticket.Address, now);
            if (ticket.User is { } user)
            {
                DropIfIdle(_users, user, now);
                DropIfIdle(_pairs, PairKey(user, ticket.Address), now);
            }
        }
    }

    private static void DropIfIdle(Pop3TrackingTable<Pop3GuessWindow> table, string key, DateTimeOffset now)
    {
        if (table.Get(key) is { InFlight: 0 } window && window.BlockedUntil <= now && window.Failures(now) == 0)
        {
            table.Remove(key);
        }
    }

    /// <summary>
    /// Starts a ban of <paramref name="address"/> when <paramref name="failures"/> (its failures in the window, counted
    /// here or in a shared store) reach <see cref="Pop3AuthenticationOptions.BanAfterFailures"/> and no ban is in force.
    /// </summary>
    internal Pop3AddressBan? StartBanIfDue(string address, int failures)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return BanIfReached(address, failures, now);
        }
    }

    /// <summary>True if this node knows of a ban of <paramref name="address"/> in force now.</summary>
    internal bool IsBanned(string address)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _bans.Get(address) is { } ban && ban.Until > now;
        }
    }

    private Pop3AddressBan? BanIfReached(string address, int failures, DateTimeOffset now) =>
        _options.BanAfterFailures > 0 && failures >= _options.BanAfterFailures && !(_bans.Get(address) is { } current && current.Until > now)
            ? _bans.Add(address, new Pop3AddressBan(address, now, now + _options.BanDuration, failures))
            : null;

    /// <summary>Learns of a ban recorded elsewhere (the store, another node).</summary>
    internal void NoteBan(Pop3AddressBan ban)
    {
        lock (_lock)
        {
            if (!(_bans.Get(ban.Address) is { } known && known.Until >= ban.Until))
            {
                _bans.Add(ban.Address, ban);
            }
        }
    }

    /// <summary>Learns that some user logged in from <paramref name="address"/>: a ban of it is then decided at each guess, not at connect.</summary>
    internal void NoteHome(string address)
    {
        lock (_lock)
        {
            _homes.Add(address, address);
        }
    }

    /// <summary>
    /// True if a connection from <paramref name="address"/> may be refused before its greeting: the address is banned
    /// and no user is known to have logged in from it, so no familiar user can be behind it. Otherwise the ban is
    /// applied at each guess, once the user is known.
    /// </summary>
    internal bool RefusesAtConnect(IPAddress? address)
    {
        var key = Pop3AddressKey.Of(address);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _bans.Get(key) is { } ban && ban.Until > now && _homes.Get(key) is null;
        }
    }

    /// <summary>The bans in force now, as this node knows them.</summary>
    internal IReadOnlyList<Pop3AddressBan> Bans()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _bans.Entries.Select(b => b.Value).Where(b => b.Until > now).ToArray();
        }
    }

    /// <summary>Lifts the ban of <paramref name="address"/> (a key) and forgets its failures; false if it was not banned here.</summary>
    internal bool Lift(string address)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var banned = _bans.Get(address) is { } ban && ban.Until > now;
            _bans.Remove(address);
            _addresses.Remove(address);
            return banned;
        }
    }

    /// <summary>
    /// Lifts the lockout of <paramref name="user"/> (lower case) and forgets the failures counted against it, from
    /// every address; false if it was not locked out.
    /// </summary>
    internal bool Unlock(string user)
    {
        var now = _time.GetUtcNow();
        var prefix = user + "\n";
        lock (_lock)
        {
            var locked = _users.Get(user) is { } window && window.BlockedUntil > now;
            _users.Remove(user);
            foreach (var key in _pairs.Entries.Select(e => e.Key).Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray())
            {
                _pairs.Remove(key);
            }

            return locked;
        }
    }

    /// <summary>The wait after the <paramref name="failures"/>-th failure from an address in its window.</summary>
    internal TimeSpan DelayAfter(int failures)
    {
        var first = _options.FailureDelay;
        if (first <= TimeSpan.Zero || failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var max = _options.MaxFailureDelay < first ? first : _options.MaxFailureDelay;
        var delay = first;
        for (var i = 1; i < failures && delay < max; i++)
        {
            delay += delay;
        }

        return delay < max ? delay : max;
    }

    private static string PairKey(string user, string address) => user + "\n" + address;

    private Pop3GuessWindow NewAddressWindow(DateTimeOffset now) => new(LimitOf(_options.BanAfterFailures), _options.BanDuration, now);

    private Pop3GuessWindow NewUserWindow(DateTimeOffset now) => new(LimitOf(_options.LockoutAfterFailures), _options.LockoutDuration, now);

    private Pop3GuessWindow NewPairWindow(DateTimeOffset now) => new(LimitOf(_options.MaxFailuresPerUserAddress), _options.LockoutDuration, now);

    // A disabled limit still counts failures (the address's count sets the reply delay).
    private static int LimitOf(int limit) => limit > 0 ? limit : int.MaxValue;
}
