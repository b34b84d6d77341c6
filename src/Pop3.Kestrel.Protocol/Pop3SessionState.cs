namespace Pop3.Kestrel.Protocol;

/// <summary>The three states of a POP3 session (RFC 1939 §3).</summary>
public enum Pop3SessionState : byte
{
    Authorization,
    Transaction,
    Update,
}
