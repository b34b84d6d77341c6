namespace Pop3.Kestrel.Lmtp;

/// <summary>The LMTP verbs the server knows (RFC 2033, over RFC 5321's grammar).</summary>
internal enum LmtpCommand
{
    Unknown,
    Lhlo,
    Mail,
    Rcpt,
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,

    /// <summary>HELO and EHLO: SMTP's greetings, which LMTP replaces with LHLO (RFC 2033 §4.1).</summary>
    Helo,

    /// <summary>Known SMTP verbs this server does not offer (EXPN, HELP, BDAT, STARTTLS...): <c>502</c>.</summary>
    NotImplemented,
}
