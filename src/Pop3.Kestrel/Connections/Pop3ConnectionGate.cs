using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Connections;

/// <summary>
/// Admits connections under the limits of <see cref="Pop3LimitsOptions"/>; at connect it applies the per-address ban
/// of <see cref="Pop3LoginThrottle"/> only where no user is known to log in from that address (elsewhere the ban is
/// applied at each guess, once the user is known); the per user+address limit at login. Unauthenticated connections have a pool
/// of their own, capped below the total: when a cap is reached the oldest unauthenticated connection is evicted
/// to admit the newcomer (as Dovecot's login processes do), so a flood of silent connections cannot lock
/// anyone out; an authenticated session is never evicted and needs no new place when it logs in. Under
/// pressure the pre-login timeout shortens. Each admitted connection holds a <see cref="Pop3ConnectionLease"/>
/// until it ends.
/// </summary>
internal sealed class Pop3ConnectionGate
{
    private readonly Pop3LimitsOptions _limits;
    private readonly Pop3LoginThrottle _throttle;
    private readonly ILogger<Pop3ConnectionGate> _logger;
    private readonly TimeSpan _authorizationTimeout;
    private readonly TimeProvider _time;
    private readonly Pop3AdmissionMetrics? _metrics;
    private readonly Lock _lock = new();

    // Oldest first; a lease is in these lists exactly while it is unauthenticated.
    private readonly LinkedList<Pop3ConnectionLease> _unauthenticated = [];
    private readonly Dictionary<IPAddress, LinkedList<Pop3ConnectionLease>> _unauthenticatedByAddress = [];
    private readonly Dictionary<(string User, IPAddress Address), int> _perUserAddress = [];
    private readonly ConcurrentDictionary<Pop3ConnectionInfo, Pop3ConnectionLease> _leases = new(ReferenceEqualityComparer.Instance);
    private int _total;
    private int _unauthenticatedCount;

    /// <summary>
    /// A gate under <paramref name="limits"/>, refusing addresses <paramref name="throttle"/> has banned; the pre-login
    /// timeout is <see cref="Pop3ServerOptions.AuthorizationTimeout"/> of <paramref name="server"/>, timed by
    /// <paramref name="time"/>; evictions and refusals are counted on <paramref name="meters"/> when given.
    /// </summary>
    public Pop3ConnectionGate(
        IOptions<Pop3LimitsOptions> limits,
        Pop3LoginThrottle throttle,
        ILogger<Pop3ConnectionGate> logger,
        IOptions<Pop3ServerOptions>? server = null,
        TimeProvider? time = null,
        IMeterFactory? meters = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits.Value;
        _throttle = throttle;
        _logger = logger;
        _authorizationTimeout = server?.Value.AuthorizationTimeout ?? new Pop3ServerOptions().AuthorizationTimeout;
        _time = time ?? TimeProvider.System;
        UnauthenticatedLimit = EffectiveUnauthenticatedLimit(_limits);
        _metrics = meters is null ? null : new Pop3AdmissionMetrics(meters, this);
    }

    /// <summary>Connections admitted and not yet released or evicted.</summary>
    public int OpenConnections => Volatile.Read(ref _total);

    /// <summary>Admitted connections that have not authenticated yet.</summary>
    public int UnauthenticatedConnections => Volatile.Read(ref _unauthenticatedCount);

    /// <summary>
    /// The cap on unauthenticated connections in force: <see cref="Pop3LimitsOptions.MaxUnauthenticatedConnections"/>,
    /// by default half of <see cref="Pop3LimitsOptions.MaxConnections"/>, never more than it; 0 for none of its own.
    /// </summary>
    internal int UnauthenticatedLimit { get; }

    /// <summary>
    /// The pre-login timeout a connection gets now: <see cref="Pop3ServerOptions.AuthorizationTimeout"/> while the
    /// unauthenticated pool is at most half full, then shorter in a straight line down to
    /// <see cref="Pop3LimitsOptions.MinAuthorizationTimeout"/> when it is full.
    /// </summary>
    internal TimeSpan AuthorizationTimeout => AuthorizationTimeoutAt(Volatile.Read(ref _unauthenticatedCount));

    /// <summary>
    /// Admits <paramref name="connection"/> or says why not. Dispose the lease when the connection ends (a refused
    /// lease too: it is a no-op). On refusal write <see cref="Pop3ConnectionLease.Refusal"/> and close.
    /// Admitting may evict older unauthenticated connections: they are told through
    /// <see cref="Pop3ConnectionLease.Watch"/>.
    /// </summary>
    public Pop3ConnectionLease TryAdmit(Pop3ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);

        var address = Key(connection.RemoteAddress);
        if (_throttle.RefusesAtConnect(address))
        {
            Pop3AuthLog.ConnectionRefused(_logger, Pop3ConnectionRefusal.Banned);
            _metrics?.Refused(Pop3ConnectionRefusal.Banned);
            return new Pop3ConnectionLease(this, connection, address, Pop3ConnectionRefusal.Banned);
        }

        List<Pop3ConnectionLease>? evicted = null;
        Pop3ConnectionLease lease;
        lock (_lock)
        {
            lease = AdmitLocked(connection, address, ref evicted);
        }

        if (!lease.IsAdmitted)
        {
            Pop3AdmissionLog.ConnectionRefused(_logger, address, lease.RefusalReason);
            _metrics?.Refused(lease.RefusalReason);
        }

        foreach (var victim in evicted ?? [])
        {
            Pop3AdmissionLog.ConnectionEvicted(_logger, victim.Address, victim.EvictionReason, victim.Connection.ConnectionId);
            _metrics?.Evicted(victim.EvictionReason);
            victim.NotifyEvicted();
        }

        return lease;
    }

    /// <summary>
    /// Counts <paramref name="user"/> against the per user+address limit for <paramref name="connection"/>; false if the
    /// limit is reached. A connection not admitted through this gate is not counted (and always true).
    /// </summary>
    public bool TryBindUser(Pop3ConnectionInfo connection, string user)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(user);
        if (!_leases.TryGetValue(connection, out var lease))
        {
            return true;
        }

        lock (_lock)
        {
            if (lease.User is not null)
            {
                return true;
            }

            var key = (user, lease.Address);
            _perUserAddress.TryGetValue(key, out var count);
            if (_limits.MaxConnectionsPerUserIp > 0 && count >= _limits.MaxConnectionsPerUserIp)
            {
                return false;
            }

            _perUserAddress[key] = count + 1;
            lease.User = user;
            return true;
        }
    }

    /// <summary>Undoes <see cref="TryBindUser"/> when the login failed after it (the maildrop could not be opened).</summary>
    public void UnbindUser(Pop3ConnectionInfo connection)
    {
        if (_leases.TryGetValue(connection, out var lease))
        {
            lock (_lock)
            {
                ReleaseUser(lease);
            }
        }
    }

    /// <summary>
    /// The connection logged in: it leaves the unauthenticated pool and keeps its place in the total. A connection
    /// evicted while its login was being checked gets its place back, over the total if need be: a client that
    /// completes authentication is never turned away for want of a place.
    /// </summary>
    internal void Authenticated(Pop3ConnectionLease lease)
    {
        lock (_lock)
        {
            switch (lease.State)
            {
                case Pop3LeaseState.Unauthenticated:
                    RemoveUnauthenticated(lease);
                    lease.State = Pop3LeaseState.Authenticated;
                    break;
                case Pop3LeaseState.Evicted:
                    _total++;
                    lease.State = Pop3LeaseState.Authenticated;
                    break;
            }
        }
    }

    internal void Release(Pop3ConnectionLease lease)
    {
        _leases.TryRemove(new KeyValuePair<Pop3ConnectionInfo, Pop3ConnectionLease>(lease.Connection, lease));
        lock (_lock)
        {
            ReleaseUser(lease);
            switch (lease.State)
            {
                case Pop3LeaseState.Unauthenticated:
                    RemoveUnauthenticated(lease);
                    _total--;
                    break;
                case Pop3LeaseState.Authenticated:
                    _total--;
                    break;
            }

            lease.State = Pop3LeaseState.Released;
        }
    }

    private Pop3ConnectionLease AdmitLocked(Pop3ConnectionInfo connection, IPAddress address, ref List<Pop3ConnectionLease>? evicted)
    {
        // Under pressure, connections that have been unauthenticated longer than the shortened timeout go first.
        var timeout = AuthorizationTimeoutAt(_unauthenticatedCount + 1);
        while (_unauthenticated.First is { Value: var oldest } && _time.GetElapsedTime(oldest.Admitted) >= timeout)
        {
            Evict(oldest, Pop3EvictionReason.PreLoginTimeout, ref evicted);
        }

        if (_limits.MaxConnectionsPerIp > 0
            && _unauthenticatedByAddress.TryGetValue(address, out var fromAddress)
            && fromAddress.Count >= _limits.MaxConnectionsPerIp)
        {
            Evict(fromAddress.First!.Value, Pop3EvictionReason.TooManyFromAddress, ref evicted);
        }

        if (UnauthenticatedLimit > 0 && _unauthenticatedCount >= UnauthenticatedLimit)
        {
            Evict(_unauthenticated.First!.Value, Pop3EvictionReason.TooManyUnauthenticated, ref evicted);
        }

        if (_limits.MaxConnections > 0 && _total >= _limits.MaxConnections)
        {
            if (_unauthenticated.First is not { Value: var first })
            {
                // Every place is held by an authenticated session: those are never evicted.
                return new Pop3ConnectionLease(this, connection, address, Pop3ConnectionRefusal.TooManyConnections);
            }

            Evict(first, Pop3EvictionReason.TooManyConnections, ref evicted);
        }

        var lease = new Pop3ConnectionLease(this, connection, address, Pop3ConnectionRefusal.None) { Admitted = _time.GetTimestamp() };
        _total++;
        _unauthenticatedCount++;
        lease.Node = _unauthenticated.AddLast(lease);
        if (!_unauthenticatedByAddress.TryGetValue(address, out var list))
        {
            _unauthenticatedByAddress[address] = list = [];
        }

        lease.AddressNode = list.AddLast(lease);
        _leases[connection] = lease;
        return lease;
    }

    /// <summary>The pre-login timeout when <paramref name="unauthenticated"/> connections are unauthenticated.</summary>
    internal TimeSpan AuthorizationTimeoutAt(int unauthenticated)
    {
        var capacity = UnauthenticatedLimit > 0 ? UnauthenticatedLimit : _limits.MaxConnections;
        var floor = _limits.MinAuthorizationTimeout;
        if (capacity <= 0 || floor >= _authorizationTimeout || 2 * unauthenticated <= capacity)
        {
            return _authorizationTimeout;
        }

        // From the full timeout at half the pool down to the floor at the full pool, in a straight line.
        var half = capacity / 2.0;
        var fraction = Math.Min(1.0, (unauthenticated - half) / (capacity - half));
        return _authorizationTimeout - (_authorizationTimeout - floor) * fraction;
    }

    private void Evict(Pop3ConnectionLease lease, Pop3EvictionReason reason, ref List<Pop3ConnectionLease>? evicted)
    {
        RemoveUnauthenticated(lease);
        _total--;
        lease.State = Pop3LeaseState.Evicted;
        lease.EvictionReason = reason;
        (evicted ??= []).Add(lease);
    }

    private void RemoveUnauthenticated(Pop3ConnectionLease lease)
    {
        _unauthenticatedCount--;
        _unauthenticated.Remove(lease.Node!);
        lease.Node = null;
        var list = lease.AddressNode!.List!;
        list.Remove(lease.AddressNode);
        lease.AddressNode = null;
        if (list.Count == 0)
        {
            _unauthenticatedByAddress.Remove(lease.Address);
        }
    }

    private void ReleaseUser(Pop3ConnectionLease lease)
    {
        if (lease.User is not { } user)
        {
            return;
        }

        lease.User = null;
        var key = (user, lease.Address);
        if (_perUserAddress.TryGetValue(key, out var count) && count > 1)
        {
            _perUserAddress[key] = count - 1;
        }
        else
        {
            _perUserAddress.Remove(key);
        }
    }

    private static int EffectiveUnauthenticatedLimit(Pop3LimitsOptions limits)
    {
        var total = limits.MaxConnections;
        if (limits.MaxUnauthenticatedConnections is not { } configured)
        {
            return total > 0 ? Math.Max(1, total / 2) : 0;
        }

        return configured <= 0 ? 0 : total > 0 ? Math.Min(configured, total) : configured;
    }

    private static IPAddress Key(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
