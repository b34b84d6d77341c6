using System.Net;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Connections;

/// <summary>An admitted connection's place in the limits, released by <see cref="Dispose"/>; or a refusal.</summary>
internal sealed class Pop3ConnectionLease : IDisposable
{
    private readonly Pop3ConnectionGate _gate;
    private Action? _onEvicted;
    private int _disposed;
    private volatile Pop3LeaseState _state;

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

    /// <summary>True once the gate has closed this unauthenticated connection to admit another.</summary>
    internal bool IsEvicted => _state == Pop3LeaseState.Evicted;

    /// <summary>The line (with CRLF) an evicted connection is sent, if it can be sent without waiting.</summary>
    internal ReadOnlySpan<byte> EvictionReply => EvictionReason == Pop3EvictionReason.PreLoginTimeout
        ? Pop3Replies.Timeout
        : Pop3Replies.EvictedUnauthenticated;

    /// <summary>The pre-login timeout in force now (shorter under pressure).</summary>
    internal TimeSpan AuthorizationTimeout => _gate.AuthorizationTimeout;

    internal Pop3ConnectionInfo Connection { get; }

    internal IPAddress Address { get; }

    internal string? User { get; set; }

    internal long Admitted { get; init; }

    // The fields below are guarded by the gate's lock.
    internal Pop3LeaseState State
    {
        get => _state;
        set => _state = value;
    }

    internal Pop3EvictionReason EvictionReason { get; set; }

    internal LinkedListNode<Pop3ConnectionLease>? Node { get; set; }

    internal LinkedListNode<Pop3ConnectionLease>? AddressNode { get; set; }

    /// <summary>
    /// Calls <paramref name="onEvicted"/> when the gate evicts the connection, at once if it already has. It runs on the
    /// admitting connection's thread and must only wake the session up (cancel its pending read and flush).
    /// </summary>
    internal void Watch(Action onEvicted)
    {
        Volatile.Write(ref _onEvicted, onEvicted);
        if (IsEvicted)
        {
            onEvicted();
        }
    }

    /// <summary>The connection logged in: see <see cref="Pop3ConnectionGate.Authenticated"/>.</summary>
    internal void Authenticated()
    {
        if (IsAdmitted)
        {
            _gate.Authenticated(this);
        }
    }

    // A login that overtook the eviction has already taken the place back: no wake-up then.
    internal void NotifyEvicted()
    {
        if (IsEvicted)
        {
            Volatile.Read(ref _onEvicted)?.Invoke();
        }
    }

    /// <summary>Gives the connection's place back.</summary>
    public void Dispose()
    {
        if (IsAdmitted && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _gate.Release(this);
        }
    }
}
