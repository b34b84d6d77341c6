namespace Pop3.Kestrel.Sessions;

/// <summary>What happened in a session, as logged in its summary line and handed to <see cref="IPop3SessionHooks.OnDisconnectedAsync"/>.</summary>
/// <param name="User">The user who logged in, or null if nobody did.</param>
/// <param name="End">How the session ended.</param>
/// <param name="Commands">Command lines received (SASL continuation lines not counted).</param>
/// <param name="Retrieved">Messages sent whole by RETR.</param>
/// <param name="RetrievedBytes">Their octets, as listed.</param>
/// <param name="Topped">TOP replies sent.</param>
/// <param name="ToppedBytes">Octets sent by TOP; not counted yet, so always 0.</param>
/// <param name="Deleted">Messages deleted at UPDATE; 0 unless the client sent QUIT after marking some.</param>
/// <param name="DeletedBytes">Their octets, as listed.</param>
/// <param name="Duration">From the connection's start to the session's end.</param>
public sealed record Pop3SessionSummary(
    string? User,
    Pop3SessionEnd End,
    int Commands,
    int Retrieved,
    long RetrievedBytes,
    int Topped,
    long ToppedBytes,
    int Deleted,
    long DeletedBytes,
    TimeSpan Duration);
