using Npgsql;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// The schema, as numbered migrations. Applied versions are recorded in <c>pop3_schema</c>; the missing ones are applied
/// in order, in one transaction, under a transaction advisory lock so that nodes starting together take turns.
/// Never edit a released migration: add the next one.
/// </summary>
/// <remarks>
/// Each migration records the oldest server (by the latest migration it knows) that still works on the schema it
/// leaves: an additive migration keeps the previous one's, so servers of the previous release stay ready through a
/// rolling upgrade; a breaking one names itself, so older servers report not ready rather than run on a schema they do
/// not understand. Every table is keyed by the mailbox first, so a distributed PostgreSQL (Citus) can shard them by it.
/// </remarks>
internal static class PostgreSqlMigrations
{
    /// <summary>The key of the advisory lock taken while migrating ("pop3mig" in ASCII).</summary>
    private const long MigrationLockKey = 0x706F70336D6967;

    /// <summary>The migrations, in order, each with the oldest server version that can still run on it.</summary>
    internal static IReadOnlyList<(int Version, string Description, int OldestServer, string Sql)> All { get; } =
    [
        (1, "messages", 1, """
            CREATE TABLE pop3_messages (
                id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                mailbox      text        NOT NULL,
                uidl         text        NOT NULL CHECK (uidl ~ '^[!-~]{1,70}$'),
                size         bigint      NOT NULL CHECK (size >= 0),
                body         bytea       NOT NULL,
                delivered_at timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT pop3_messages_mailbox_uidl UNIQUE (mailbox, uidl)
            );
            CREATE INDEX pop3_messages_mailbox_id ON pop3_messages (mailbox, id) INCLUDE (uidl, size);
            ALTER TABLE pop3_messages ALTER COLUMN body SET STORAGE EXTERNAL;
            """),
        (2, "bans and familiar addresses", 2, """
            CREATE TABLE pop3_familiar_addresses (
                user_name  text        NOT NULL,
                address    text        NOT NULL,
                last_login timestamptz NOT NULL,
                PRIMARY KEY (user_name, address)
            );
            CREATE INDEX pop3_familiar_addresses_last_login ON pop3_familiar_addresses (last_login);
            CREATE TABLE pop3_address_bans (
                address  text        PRIMARY KEY,
                since    timestamptz NOT NULL,
                until    timestamptz NOT NULL,
                failures integer     NOT NULL
            );
            """),

        // Breaking: a server of the advisory-lock era would not see these leases, so it must not run beside one that does.
        (3, "mailbox leases", 3, """
            CREATE SEQUENCE pop3_lease_tokens AS bigint;
            CREATE TABLE pop3_mailbox_leases (
                mailbox     text        PRIMARY KEY,
                token       bigint      NOT NULL,
                owner_node  text        NOT NULL,
                session_id  uuid        NOT NULL,
                acquired_at timestamptz NOT NULL DEFAULT now(),
                expires_at  timestamptz NOT NULL
            );
            """),

        // Additive: servers of schema 3 do not use these tables and run unchanged beside them.
        (PostgreSqlGuardSchema.Version, PostgreSqlGuardSchema.Description, 3, PostgreSqlGuardSchema.Sql),
    ];

    /// <summary>The newest schema version this build creates.</summary>
    public static int Latest => All[^1].Version;

    /// <summary>
    /// The oldest schema version this build runs on. It also runs on any newer schema whose migrations were all
    /// additive since a version it knows (see <see cref="CheckSchemaAsync"/>).
    /// </summary>
    public static int Oldest => 3;

    /// <summary>Applies the missing migrations. Returns how many were applied.</summary>
    public static async Task<int> ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand(
            """
            SELECT pg_advisory_xact_lock(@key);
            CREATE TABLE IF NOT EXISTS pop3_schema (
                version     integer     PRIMARY KEY,
                description text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            );
            ALTER TABLE pop3_schema ADD COLUMN IF NOT EXISTS oldest_server integer;
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var (current, oldestServer) = await ReadSchemaAsync(connection, transaction, cancellationToken);
        if (current >= Latest)
        {
            if (oldestServer > Latest)
            {
                throw new InvalidOperationException(
                    $"The database schema is at version {current}, which needs a server of version {oldestServer} or later (this one is {Latest}): upgrade the server.");
            }

            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        var applied = 0;
        foreach (var (version, description, oldest, sql) in All)
        {
            if (version <= current)
            {
                continue;
            }

            await using (var migrate = new NpgsqlCommand(sql, connection, transaction))
            {
                await migrate.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO pop3_schema (version, description, oldest_server) VALUES (@v, @d, @o)", connection, transaction))
            {
                record.Parameters.AddWithValue("v", version);
                record.Parameters.AddWithValue("d", description);
                record.Parameters.AddWithValue("o", oldest);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            applied++;
        }

        await transaction.CommitAsync(cancellationToken);
        return applied;
    }

    /// <summary>The highest applied version, 0 for an empty database.</summary>
    public static async Task<int> CurrentVersionAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return (await ReadSchemaAsync(dataSource, cancellationToken)).Version;
    }

    /// <summary>
    /// Whether this build can serve the database's schema: at least <see cref="Oldest"/>, and no migration applied that
    /// needs a newer server than this one. Returns the reason either way, for readiness and the <c>migrate</c> command.
    /// </summary>
    public static async Task<(bool Supported, string Reason)> CheckSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var (version, oldestServer) = await ReadSchemaAsync(dataSource, cancellationToken);
        if (version < Oldest)
        {
            return (false, $"schema version {version}, this server needs {Oldest} to {Latest} (run the migrate command)");
        }

        return oldestServer > Latest
            ? (false, $"schema version {version} needs a server of version {oldestServer} or later, this one is {Latest}")
            : (true, $"schema version {version}");
    }

    internal static async Task<(int Version, int OldestServer)> ReadSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('pop3_schema') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return (0, 0);
        }

        return await ReadSchemaAsync(connection, null, cancellationToken);
    }

    private static async Task<(int Version, int OldestServer)> ReadSchemaAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        // Read through jsonb: a schema last migrated by a build before oldest_server existed has no such column, and a
        // version recorded without one is taken to need a server that knows it.
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(max(version), 0), coalesce(max(coalesce((to_jsonb(s) ->> 'oldest_server')::integer, version)), 0) FROM pop3_schema s",
            connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt32(0), reader.GetInt32(1));
    }
}
