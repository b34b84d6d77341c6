namespace Pop3.Kestrel.Sessions;

/// <summary>The session states in which a verb added with <c>AddCommand&lt;T&gt;()</c> may run.</summary>
[Flags]
public enum Pop3CommandStates
{
    /// <summary>Before login (AUTHORIZATION, RFC 1939 §4).</summary>
    Authorization = 1,

    /// <summary>After login (TRANSACTION, RFC 1939 §5).</summary>
    Transaction = 2,

    /// <summary>Both before and after login, like CAPA and QUIT.</summary>
    Any = Authorization | Transaction,
}
