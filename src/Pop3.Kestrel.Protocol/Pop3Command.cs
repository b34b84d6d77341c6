namespace Pop3.Kestrel.Protocol;

/// <summary>The POP3 verbs this server understands (RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 6856).</summary>
public enum Pop3Command : byte
{
    /// <summary>A keyword that is not a known verb.</summary>
    Unknown = 0,
    User,
    Pass,
    Apop,
    Auth,
    Stls,
    Utf8,
    Capa,
    Quit,
    Stat,
    List,
    Retr,
    Dele,
    Noop,
    Rset,
    Top,
    Uidl,
}
