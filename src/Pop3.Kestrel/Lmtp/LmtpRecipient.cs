namespace Pop3.Kestrel.Lmtp;

/// <summary>An accepted RCPT: the mailbox the user directory named, and the address as the client wrote it (for the reply).</summary>
internal readonly record struct LmtpRecipient(string Mailbox, string Address);
