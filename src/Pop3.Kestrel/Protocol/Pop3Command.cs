namespace Pop3.Kestrel.Protocol;

/// <summary>
/// The POP3 verbs built into the server (RFC 1939, RFC 2449, RFC 2595, RFC 5034, RFC 6856), matched as integers without
/// allocating. A verb an application adds is not listed here: the parser returns <see cref="Unknown"/> and the
/// session looks the keyword up among the added verbs.
/// </summary>
public enum Pop3Command : byte
{
    /// <summary>A keyword that is not a known verb.</summary>
    Unknown = 0,

    /// <summary>USER name: the first half of a plaintext login (RFC 1939 §7).</summary>
    User,

    /// <summary>PASS string: the password after USER (RFC 1939 §7).</summary>
    Pass,

    /// <summary>APOP name digest: a login with an MD5 digest of the greeting's timestamp and a shared secret (RFC 1939 §7).</summary>
    Apop,

    /// <summary>AUTH [mechanism [initial-response]]: a SASL login, or the list of mechanisms (RFC 5034).</summary>
    Auth,

    /// <summary>STLS: turns the connection to TLS before login (RFC 2595 §4).</summary>
    Stls,

    /// <summary>UTF8: lets names and passwords be UTF-8 from now on (RFC 6856 §2).</summary>
    Utf8,

    /// <summary>CAPA: the capabilities of the server in the current state (RFC 2449 §5).</summary>
    Capa,

    /// <summary>QUIT: ends the session; from TRANSACTION, first deletes the marked messages (RFC 1939 §4, §6).</summary>
    Quit,

    /// <summary>STAT: the number of messages and their octets (RFC 1939 §5).</summary>
    Stat,

    /// <summary>LIST [msg]: the size of one message, or of every message (RFC 1939 §5).</summary>
    List,

    /// <summary>RETR msg: the whole message (RFC 1939 §5).</summary>
    Retr,

    /// <summary>DELE msg: marks a message to be deleted at QUIT (RFC 1939 §5).</summary>
    Dele,

    /// <summary>NOOP: does nothing; answers +OK (RFC 1939 §5).</summary>
    Noop,

    /// <summary>RSET: unmarks every message marked as deleted (RFC 1939 §5).</summary>
    Rset,

    /// <summary>TOP msg n: the headers and the first n body lines of a message (RFC 1939 §7).</summary>
    Top,

    /// <summary>UIDL [msg]: the unique id of one message, or of every message (RFC 1939 §7).</summary>
    Uidl,
}
