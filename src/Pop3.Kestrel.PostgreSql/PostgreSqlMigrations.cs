using Npgsql;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// The schema, as numbered migrations. Applied versions are recorded in <c>pop3_schema</c>; a node applies the missing
/// ones in order, in one transaction, under a transaction advisory lock so that nodes starting together take turns.
/// Never edit a released migration: add the next one.
/// </summary>
public static class PostgreSqlMigrations
{
    /// <summary>The key of the advisory lock taken while migrating ("pop3mig" in ASCII).</summary>
    private const long MigrationLockKey = 0x706F70336D6967;

    /// <summary>The migrations, in order.</summary>
    internal static IReadOnlyList<(int Version, string Description, string Sql)> All { get; } =
    [
        (1, "messages", """
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
        (2, "bans and familiar addresses", """
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
        (PostgreSqlGuardSchema.Version, PostgreSqlGuardSchema.Description, PostgreSqlGuardSchema.Sql),
    ];

    /// <summary>The version this build expects.</summary>
    public static int Latest => All[^1].Version;

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
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var current = await CurrentVersionAsync(connection, transaction, cancellationToken);
        if (current > Latest)
        {
            throw new InvalidOperationException(
                $"The database schema is at version {current}, newer than this server's {Latest}: upgrade the server.");
        }

        var applied = 0;
        foreach (var (version, description, sql) in All)
        {
            if (version <= current)
            {
                continue;
            }

            await using (var migrate = new NpgsqlCommand(sql, connection, transaction))
            {
                await migrate.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand("INSERT INTO pop3_schema (version, description) VALUES (@v, @d)", connection, transaction))
            {
                record.Parameters.AddWithValue("v", version);
                record.Parameters.AddWithValue("d", description);
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
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('pop3_schema') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
        {
            return 0;
        }

        return await CurrentVersionAsync(connection, null, cancellationToken);
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM pop3_schema", connection, transaction);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
