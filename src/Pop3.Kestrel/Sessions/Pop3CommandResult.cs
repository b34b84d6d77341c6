namespace Pop3.Kestrel.Sessions;

/// <summary>What a command handler tells the session; the session, not the handler, applies the state change.</summary>
public enum Pop3CommandResult : byte
{
    /// <summary>The command succeeded; the consecutive-error count is reset.</summary>
    Completed,

    /// <summary>The command was answered with <c>-ERR</c>; it counts towards the error limit.</summary>
    Failed,

    /// <summary>Authentication succeeded and the maildrop is open: the session enters TRANSACTION.</summary>
    LoggedIn,

    /// <summary>The reply is written; close the connection after flushing it, without UPDATE.</summary>
    Close,

    /// <summary>The <c>+OK</c> for STLS is written: flush it, then run the TLS handshake.</summary>
    StartTls,

    /// <summary>
    /// The client said QUIT (nothing written yet): from TRANSACTION the session enters UPDATE and commits the
    /// deletions; then it replies and closes the connection.
    /// </summary>
    Quit,
}
