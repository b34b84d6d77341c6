namespace Pop3.Kestrel.Sessions;

/// <summary>How a session ended, for the summary log line and the hooks.</summary>
public enum Pop3SessionEnd : byte
{
    /// <summary>The client sent QUIT.</summary>
    Quit,

    /// <summary>The client closed the connection without QUIT; nothing was deleted.</summary>
    Dropped,

    /// <summary>The inactivity timeout expired; nothing was deleted.</summary>
    Timeout,

    /// <summary>Too many consecutive erroneous commands.</summary>
    TooManyErrors,

    /// <summary>The server is shutting down; nothing was deleted.</summary>
    Shutdown,

    /// <summary>An unexpected failure; logged, nothing was deleted.</summary>
    Error,

    /// <summary>An administrator ended the session (admin <c>DELETE /sessions/{id}</c>); nothing was deleted.</summary>
    Kicked,

    /// <summary>
    /// Closed before login to admit a newer connection, or after the pre-login timeout as shortened under pressure
    /// (<c>Pop3:Limits</c>); nothing was deleted.
    /// </summary>
    Evicted,
}
