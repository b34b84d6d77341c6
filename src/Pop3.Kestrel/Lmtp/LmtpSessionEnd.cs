namespace Pop3.Kestrel.Lmtp;

/// <summary>How an LMTP session ended.</summary>
internal enum LmtpSessionEnd
{
    Quit,
    Dropped,
    Timeout,
    TooManyErrors,
    Shutdown,
}
