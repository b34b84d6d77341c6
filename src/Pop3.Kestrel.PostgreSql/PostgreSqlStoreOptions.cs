namespace Pop3.Kestrel.PostgreSql;

/// <summary>The PostgreSQL store. Bound from the configuration section <c>Pop3:PostgreSql</c>.</summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:PostgreSql";

    /// <summary>The configuration key of <see cref="ConnectionString"/>.</summary>
    public const string ConnectionStringKey = SectionName + ":ConnectionString";

    /// <summary>The configuration key of <see cref="LeaseSeconds"/>.</summary>
    public const string LeaseSecondsKey = SectionName + ":LeaseSeconds";

    /// <summary>
    /// An Npgsql connection string, e.g. <c>Host=db;Database=mail;Username=pop3;Password=…</c>. A session borrows a
    /// pooled connection only for each statement (or while a message is sent), so <c>Maximum Pool Size</c> bounds the
    /// statements in flight, not the sessions. Without a <c>Timeout</c> in the string, waiting for a connection (pool or
    /// server) gives up after 1 s, so a full pool answers a login <c>-ERR [SYS/TEMP]</c> at once.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Create and upgrade the schema at start-up (default, for a single node). Off: the operator runs the
    /// <c>migrate</c> command, and nodes report not ready until the schema is one they support.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>
    /// How long a mailbox lease lasts without renewal (default 30, 3 to 600). Each node renews its sessions' leases every
    /// third of it; a node that stops (frozen, cut off) loses its mailboxes to other nodes after at most this long.
    /// </summary>
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>
    /// This node's name in the lease table (for operators: who holds a mailbox). Empty (default): the host name, the
    /// process id and a random suffix.
    /// </summary>
    public string NodeId { get; set; } = "";
}
