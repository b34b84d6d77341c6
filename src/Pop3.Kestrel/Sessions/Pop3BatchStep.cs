namespace Pop3.Kestrel.Sessions;

/// <summary>Why the session stopped executing a batch of lines: to read more, or how it goes on or ends.</summary>
internal enum Pop3BatchStep : byte
{
    /// <summary>Every complete line ran; read again.</summary>
    ReadMore,

    /// <summary>QUIT was answered: flush and end with <see cref="Pop3SessionEnd.Quit"/>.</summary>
    Quit,

    /// <summary>A handler asked to close: flush and end without UPDATE.</summary>
    Close,

    /// <summary>STLS was answered: flush, drop what followed in the clear, run the handshake.</summary>
    StartTls,

    /// <summary>Too many consecutive errors.</summary>
    TooManyErrors,

    /// <summary>The timeout, a shutdown, a kick or an eviction came during the batch.</summary>
    Interrupted,

    /// <summary>A flush found the client gone.</summary>
    Gone,
}
