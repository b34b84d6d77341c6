using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Connections;

/// <summary>
/// Admits or refuses connections: the total and per-address limits of <see cref="Pop3LimitsOptions"/> and, at connect,
/// the per-address ban of <see cref="Pop3LoginThrottle"/> where no user is known to log in from that address (elsewhere
/// the ban is applied at each guess, once the user is known); the per user+address limit at login. Each
/// admitted connection holds a <see cref="Pop3ConnectionLease"/> until it ends.
/// </summary>
public sealed class Pop3ConnectionGate(IOptions<Pop3LimitsOptions> limits, Pop3LoginThrottle throttle, ILogger<Pop3ConnectionGate> logger)
{
    private readonly Pop3LimitsOptions _limits = limits.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Dictionary<(string User, IPAddress Address), int> _perUserAddress = [];
    private readonly ConcurrentDictionary<Pop3ConnectionInfo, Pop3ConnectionLease> _leases = new(ReferenceEqualityComparer.Instance);
    private int _total;

    /// <summary>Connections admitted and not yet released.</summary>
    public int OpenConnections => Volatile.Read(ref _total);

    /// <summary>
    /// Admits <paramref name="connection"/> or says why not. Dispose the lease when the connection ends (a refused
    /// lease too: it is a no-op). On refusal write <see cref="Pop3ConnectionLease.Refusal"/> and close.
    /// </summary>
    public Pop3ConnectionLease TryAdmit(Pop3ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var address = Key(connection.RemoteAddress);
        if (throttle.RefusesAtConnect(address))
        {
            Pop3AuthLog.ConnectionRefused(logger, Pop3ConnectionRefusal.Banned);
            return new Pop3ConnectionLease(this, connection, address, Pop3ConnectionRefusal.Banned);
        }

        lock (_lock)
        {
            if (_limits.MaxConnections > 0 && _total >= _limits.MaxConnections)
            {
                Pop3AuthLog.ConnectionRefused(logger, Pop3ConnectionRefusal.TooManyConnections);
                return new Pop3ConnectionLease(this, connection, address, Pop3ConnectionRefusal.TooManyConnections);
            }

            _perAddress.TryGetValue(address, out var fromAddress);
            if (_limits.MaxConnectionsPerIp > 0 && fromAddress >= _limits.MaxConnectionsPerIp)
            {
                Pop3AuthLog.ConnectionRefused(logger, Pop3ConnectionRefusal.TooManyFromAddress);
                return new Pop3ConnectionLease(this, connection, address, Pop3ConnectionRefusal.TooManyFromAddress);
            }

            _total++;
            _perAddress[address] = fromAddress + 1;
        }

        var lease = new Pop3ConnectionLease(this, connection, address, Pop3ConnectionRefusal.None);
        _leases[connection] = lease;
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

    internal void Release(Pop3ConnectionLease lease)
    {
        _leases.TryRemove(new KeyValuePair<Pop3ConnectionInfo, Pop3ConnectionLease>(lease.Connection, lease));
        lock (_lock)
        {
            ReleaseUser(lease);
            _total--;
            if (_perAddress.TryGetValue(lease.Address, out var count) && count > 1)
            {
                _perAddress[lease.Address] = count - 1;
            }
            else
            {
                _perAddress.Remove(lease.Address);
            }
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

    private static IPAddress Key(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}

/// <summary>Why a connection was refused.</summary>
public enum Pop3ConnectionRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary><see cref="Pop3LimitsOptions.MaxConnections"/> reached.</summary>
    TooManyConnections,

    /// <summary><see cref="Pop3LimitsOptions.MaxConnectionsPerIp"/> reached.</summary>
    TooManyFromAddress,

    /// <summary>The address is banned after too many failed logins.</summary>
    Banned,
}

/// <summary>An admitted connection's place in the limits, released by <see cref="Dispose"/>; or a refusal.</summary>
public sealed class Pop3ConnectionLease : IDisposable
{
    private readonly Pop3ConnectionGate _gate;
    private int _disposed;

    internal Pop3ConnectionLease(Pop3ConnectionGate gate, Pop3ConnectionInfo connection, IPAddress address, Pop3ConnectionRefusal refusal)
    {
        _gate = gate;
        Connection = connection;
        Address = address;
        RefusalReason = refusal;
    }

    /// <summary>True if the connection may go on.</summary>
    public bool IsAdmitted => RefusalReason == Pop3ConnectionRefusal.None;

    /// <summary>Why the connection was refused, or <see cref="Pop3ConnectionRefusal.None"/>.</summary>
    public Pop3ConnectionRefusal RefusalReason { get; }

    /// <summary>The <c>-ERR [SYS/TEMP] ...</c> line (with CRLF) to send before closing a refused connection.</summary>
    public ReadOnlySpan<byte> Refusal => RefusalReason switch
    {
        Pop3ConnectionRefusal.TooManyConnections => Pop3Replies.TooManyConnections,
        Pop3ConnectionRefusal.TooManyFromAddress => Pop3Replies.TooManyConnectionsFromAddress,
        Pop3ConnectionRefusal.Banned => Pop3Replies.AddressBanned,
        _ => [],
    };

    internal Pop3ConnectionInfo Connection { get; }

    internal IPAddress Address { get; }

    internal string? User { get; set; }

    /// <summary>Gives the connection's place back.</summary>
    public void Dispose()
    {
        if (IsAdmitted && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _gate.Release(this);
        }
    }
}
