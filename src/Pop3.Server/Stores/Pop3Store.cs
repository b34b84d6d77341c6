namespace Pop3.Server.Stores;

/// <summary>The built-in backend named by <c>Pop3:Store</c>.</summary>
public enum Pop3Store
{
    /// <summary>Each user's Maildir (<c>Pop3:Maildir:*</c>), the default.</summary>
    Maildir,

    /// <summary>One PostgreSQL database for many nodes (<c>Pop3:PostgreSql:*</c>).</summary>
    PostgreSql,

    /// <summary>Another POP3 or IMAP server, relayed (<c>Pop3:Upstream:*</c>). <c>Proxy</c>, its former name, is still accepted.</summary>
    Upstream,
}
