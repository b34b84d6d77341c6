using Npgsql;
using NpgsqlTypes;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// The PostgreSQL store as a whole: delivery into a mailbox, the readiness check and this node's mailbox leases. A
/// singleton over one pooled <see cref="NpgsqlDataSource"/>; the sessions' <see cref="PostgreSqlMaildrop"/> share it.
/// </summary>
internal sealed class PostgreSqlMailStore
{
    private readonly NpgsqlDataSource _readiness;

    /// <summary>
    /// A store over <paramref name="dataSource"/>, used for readiness too, with leases of 30 s under a generated node id.
    /// The server's registration (<c>AddPostgreSql</c>) gives readiness a data source of its own instead.
    /// </summary>
    public PostgreSqlMailStore(NpgsqlDataSource dataSource)
        : this(dataSource, dataSource, TimeSpan.FromSeconds(new PostgreSqlStoreOptions().LeaseSeconds), PostgreSqlLeases.DefaultNodeId())
    {
    }

    internal PostgreSqlMailStore(NpgsqlDataSource dataSource, NpgsqlDataSource readiness, TimeSpan leaseDuration, string nodeId)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        DataSource = dataSource;
        _readiness = readiness;
        Leases = new PostgreSqlLeases(dataSource, leaseDuration, nodeId);
    }

    /// <summary>The pooled connections to the store's database.</summary>
    public NpgsqlDataSource DataSource { get; }

    internal PostgreSqlLeases Leases { get; }

    /// <summary>Creates or upgrades the schema (see <see cref="PostgreSqlMigrations"/>). Returns how many migrations ran.</summary>
    public Task<int> MigrateAsync(CancellationToken cancellationToken) => PostgreSqlMigrations.ApplyAsync(DataSource, cancellationToken);

    /// <summary>
    /// Ready to serve: the database answers within a second and its schema is one this build supports (see
    /// <see cref="PostgreSqlMigrations.CheckSchemaAsync"/>). Asks over a connection budget of its own, so a session pool
    /// that is full never makes a node look dead. Never throws for an unreachable database; the reason is returned instead.
    /// </summary>
    public async Task<(bool Ready, string Reason)> CheckReadyAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadinessTimeout);
        try
        {
            return await PostgreSqlRetry.OnceAsync(_readiness, () => PostgreSqlMigrations.CheckSchemaAsync(_readiness, limit.Token));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"no answer within {ReadinessTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return (false, e.Message);
        }
    }

    internal static TimeSpan ReadinessTimeout { get; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Stores <paramref name="message"/> byte for byte in <paramref name="mailbox"/>, after every message already
    /// there. The UIDL is <paramref name="uidl"/> (a Dovecot UIDL kept on import) or a new time-ordered one.
    /// A stream that cannot seek is first copied to a temporary file, so the size is known before the row is written.
    /// Returns the UIDL, or null if the mailbox already holds a message with that UIDL (it is left as it is, so an
    /// import can run again).
    /// </summary>
    public async Task<string?> DeliverAsync(string mailbox, Stream message, string? uidl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(mailbox);
        ArgumentNullException.ThrowIfNull(message);
        uidl ??= Guid.CreateVersion7().ToString("N");
        if (!IsValidUidl(uidl))
        {
            throw new ArgumentException($"'{uidl}' is not a POP3 unique id (1-70 characters in 0x21-0x7E).", nameof(uidl));
        }

        Stream? spooled = null;
        try
        {
            var source = message;
            if (!message.CanSeek)
            {
                spooled = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                    FileOptions.DeleteOnClose | FileOptions.Asynchronous);
                await message.CopyToAsync(spooled, cancellationToken);
                spooled.Position = 0;
                source = spooled;
            }

            var start = source.Position;
            var size = await MaildropMessage.MeasureSizeAsync(source, cancellationToken);
            source.Position = start;

            await using var command = DataSource.CreateCommand(
                """
                INSERT INTO pop3_messages (mailbox, uidl, size, body) VALUES (@mailbox, @uidl, @size, @body)
                ON CONFLICT ON CONSTRAINT pop3_messages_mailbox_uidl DO NOTHING
                """);
            command.Parameters.AddWithValue("mailbox", mailbox);
            command.Parameters.AddWithValue("uidl", uidl);
            command.Parameters.AddWithValue("size", size);

            // A stream parameter is sent in chunks: the message is never held whole in memory.
            command.Parameters.Add(new NpgsqlParameter("body", NpgsqlDbType.Bytea) { Value = source, Size = checked((int)(source.Length - start)) });
            return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? uidl : null;
        }
        finally
        {
            if (spooled is not null)
            {
                await spooled.DisposeAsync();
            }
        }
    }

    internal static bool IsValidUidl(string uidl)
    {
        if (uidl.Length is 0 or > 70)
        {
            return false;
        }

        foreach (var c in uidl)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
