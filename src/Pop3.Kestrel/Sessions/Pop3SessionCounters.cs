namespace Pop3.Kestrel.Sessions;

/// <summary>
/// What a session has done so far, for its summary line, the metrics and the admin listing. Counted by the dispatcher,
/// the message handlers and UPDATE; read from other threads by the admin listing, where a figure a moment old is fine.
/// </summary>
internal sealed class Pop3SessionCounters(TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();

    /// <summary>Command lines received (SASL continuation lines not counted).</summary>
    public int Commands { get; private set; }

    /// <summary>Messages sent whole by RETR, and their listed octets.</summary>
    public int Retrieved { get; private set; }

    /// <inheritdoc cref="Retrieved"/>
    public long RetrievedBytes { get; private set; }

    /// <summary>TOP replies sent.</summary>
    public int Topped { get; private set; }

    /// <summary>Octets sent by TOP; not counted yet, so always 0.</summary>
    public long ToppedBytes { get; private set; }

    /// <summary>Message octets sent so far by RETR and TOP.</summary>
    public long SentBytes => RetrievedBytes + ToppedBytes;

    /// <summary>The RETR being sent, or one that was cut short; null once a message went out whole.</summary>
    public Commands.Pop3MessageTransfer? Transfer { get; set; }

    /// <summary>Time since the connection's start.</summary>
    public TimeSpan Elapsed => time.GetElapsedTime(_started);

    private int Deleted { get; set; }

    private long DeletedBytes { get; set; }

    public void CommandReceived() => Commands++;

    public void MessageRetrieved(long size)
    {
        Retrieved++;
        RetrievedBytes += size;
    }

    public void TopSent() => Topped++;

    public void DeletionsCommitted(int count, long bytes)
    {
        Deleted = count;
        DeletedBytes = bytes;
    }

    /// <summary>The session's summary, for its log line and the hooks.</summary>
    public Pop3SessionSummary Summarize(string? user, Pop3SessionEnd end) =>
        new(user, end, Commands, Retrieved, RetrievedBytes, Topped, ToppedBytes, Deleted, DeletedBytes, Elapsed);
}
