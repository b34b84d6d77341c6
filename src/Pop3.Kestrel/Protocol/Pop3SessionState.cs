namespace Pop3.Kestrel.Protocol;

/// <summary>The three states of a POP3 session (RFC 1939 §3).</summary>
public enum Pop3SessionState : byte
{
    /// <summary>Before login: the client identifies itself (RFC 1939 §4).</summary>
    Authorization,

    /// <summary>Logged in, the maildrop open: the client reads and marks messages (RFC 1939 §5).</summary>
    Transaction,

    /// <summary>After QUIT from TRANSACTION: the marked messages are deleted, then the connection closes (RFC 1939 §6).</summary>
    Update,
}
