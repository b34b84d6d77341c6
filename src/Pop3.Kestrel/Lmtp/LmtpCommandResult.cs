namespace Pop3.Kestrel.Lmtp;

/// <summary>What a verb's handler tells the session after writing its reply; the session counts errors and ends from it.</summary>
internal enum LmtpCommandResult
{
    /// <summary>Handled (a refusal the client could not have avoided, such as an unknown recipient, included): the error count starts again.</summary>
    Done,

    /// <summary>The client erred (syntax, order): counted towards <see cref="Pop3LmtpOptions.MaxErrors"/>.</summary>
    Error,

    /// <summary>QUIT was answered: the session ends.</summary>
    Quit,
}
