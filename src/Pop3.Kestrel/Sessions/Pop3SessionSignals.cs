using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Why the server ends a session the client did not end: the inactivity timeout, the host stopping, an administrator's
/// kick, an eviction by the connection gate. Raised from other threads (the timer, the host, the admin API, the gate);
/// each wakes the session's loop by cancelling its pending read (and a stalled flush).
/// </summary>
internal sealed class Pop3SessionSignals(Pop3SessionPipes pipes)
{
    private volatile bool _timedOut;
    private volatile bool _stopping;
    private volatile bool _kicked;
    private volatile bool _hostStopping;

    /// <summary>
    /// The connection's place in the gate, when it came through one: told of the login, it may evict the session
    /// before login and shortens the pre-login timeout under pressure.
    /// </summary>
    public Pop3ConnectionLease? Admission { get; set; }

    /// <summary>True once the host is stopping or the session was kicked.</summary>
    public bool Stopping => _stopping;

    /// <summary>True once the gate evicted the connection.</summary>
    public bool Evicted => Admission is { IsEvicted: true };

    /// <summary>True once any reason to end the session holds.</summary>
    public bool Interrupted => _timedOut || _stopping || Evicted;

    /// <summary>True once the inactivity timeout fired, or an eviction cut a stalled flush short.</summary>
    public bool MustEndNow => _timedOut || Evicted;

    /// <summary>How a session ended that a cancelled read or a broken pipe stopped.</summary>
    public Pop3SessionEnd BrokenEnd =>
        _timedOut ? Pop3SessionEnd.Timeout : _stopping ? StoppedEnd : Evicted ? Pop3SessionEnd.Evicted : Pop3SessionEnd.Dropped;

    private Pop3SessionEnd StoppedEnd => _kicked && !_hostStopping ? Pop3SessionEnd.Kicked : Pop3SessionEnd.Shutdown;

    public void OnTimeout()
    {
        _timedOut = true;
        pipes.Wake(flush: true);
    }

    public void OnEvicted() => pipes.Wake(flush: true);

    public void OnHostStopping()
    {
        _hostStopping = true;
        Stop();
    }

    /// <summary>Ends the session the way a shutdown does (an administrator's kick): no UPDATE, nothing deleted.</summary>
    public void Kick()
    {
        _kicked = true;
        Stop();
    }

    /// <summary>Tells the client why the server ends the session, as far as the client lets it, and says how it ended.</summary>
    public async ValueTask<Pop3SessionEnd> EndAsync()
    {
        if (Evicted && !_timedOut && !_stopping)
        {
            await pipes.TryWriteFinalWithoutWaitingAsync(Admission!.EvictionReply);
            return Pop3SessionEnd.Evicted;
        }

        if (_timedOut)
        {
            await pipes.TryWriteFinalAsync(Pop3Replies.Timeout);
            return Pop3SessionEnd.Timeout;
        }

        await pipes.TryWriteFinalAsync(Pop3Replies.ShuttingDown);
        return StoppedEnd;
    }

    /// <summary>
    /// The inactivity timeout for the next read. Before login it is also bounded by what is left of
    /// <see cref="Pop3ServerOptions.AuthorizationTimeout"/>, counted from the connection's start and never
    /// pushed back by traffic, so a client trickling bytes (slow loris) cannot hold a connection unauthenticated.
    /// Under pressure the gate shortens that timeout (<see cref="Pop3ConnectionGate.AuthorizationTimeout"/>).
    /// </summary>
    public TimeSpan NextTimeout(Pop3ServerOptions options, Pop3SessionState state, Pop3SessionCounters counters)
    {
        // After login the clock is not read at all: this runs once per batch of commands.
        if (state != Pop3SessionState.Authorization)
        {
            return options.CommandTimeout;
        }

        var limit = Admission is { } admission && admission.AuthorizationTimeout < options.AuthorizationTimeout
            ? admission.AuthorizationTimeout
            : options.AuthorizationTimeout;
        var left = limit - counters.Elapsed;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left < options.CommandTimeout ? left : options.CommandTimeout;
    }

    private void Stop()
    {
        _stopping = true;
        pipes.Wake(flush: false);
    }
}
