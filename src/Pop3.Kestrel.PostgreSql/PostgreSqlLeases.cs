using System.Collections.Concurrent;
using Npgsql;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// This node's mailbox leases (table <c>pop3_mailbox_leases</c>, migration 3): one row per open mailbox with its owner
/// node, session, expiry and a fencing token drawn from a sequence, so a later holder always has a larger token. Taken
/// with one statement, renewed for all of the node's sessions with one statement, released at session end. Expiry is
/// judged by the database's clock alone, so nodes' clocks never need to agree.
/// </summary>
/// <remarks>
/// Rows survive a PostgreSQL restart, and no connection is held between statements, so this works through PgBouncer in
/// transaction mode. A lease that expired (its node froze, or lost the database for longer than the lease) can be taken
/// by another session; the old holder's deletions are then refused by <see cref="PostgreSqlMaildrop"/>'s fence.
/// </remarks>
internal sealed class PostgreSqlLeases(NpgsqlDataSource dataSource, TimeSpan duration, string nodeId)
{
    private readonly ConcurrentDictionary<long, string> _held = new();

    /// <summary>How long a lease lasts without renewal.</summary>
    public TimeSpan Duration => duration;

    /// <summary>This node's name in the lease rows.</summary>
    public string NodeId => nodeId;

    /// <summary>The leases this node holds now.</summary>
    public int Count => _held.Count;

    /// <summary>A default node id: host name, process id and a random suffix (two processes never share one).</summary>
    public static string DefaultNodeId() =>
        $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    /// <summary>
    /// Takes <paramref name="mailbox"/>'s lease for <paramref name="session"/> if it is free or expired. Returns the
    /// fencing token, or null if another session holds it. Running it again for the same session is harmless (the row is
    /// already the session's), so it may be retried after a broken connection.
    /// </summary>
    public async Task<long?> TryAcquireAsync(string mailbox, Guid session, CancellationToken cancellationToken)
    {
        var token = await PostgreSqlRetry.OnceAsync(dataSource, async () =>
        {
            await using var command = dataSource.CreateCommand(
                """
                INSERT INTO pop3_mailbox_leases AS l (mailbox, token, owner_node, session_id, expires_at)
                VALUES (@mailbox, nextval('pop3_lease_tokens'), @node, @session, now() + @duration)
                ON CONFLICT (mailbox) DO UPDATE
                    SET token = EXCLUDED.token, owner_node = EXCLUDED.owner_node, session_id = EXCLUDED.session_id,
                        acquired_at = now(), expires_at = EXCLUDED.expires_at
                    WHERE l.expires_at <= now() OR l.session_id = EXCLUDED.session_id
                RETURNING token
                """);
            command.Parameters.AddWithValue("mailbox", mailbox);
            command.Parameters.AddWithValue("node", nodeId);
            command.Parameters.AddWithValue("session", session);
            command.Parameters.AddWithValue("duration", duration);
            return await command.ExecuteScalarAsync(cancellationToken) as long?;
        });
        if (token is { } taken)
        {
            _held[taken] = mailbox;
        }

        return token;
    }

    /// <summary>
    /// Renews every lease this node holds, in one statement. Returns the mailboxes whose lease was found taken over by
    /// another session (their sessions can no longer commit); those are forgotten.
    /// </summary>
    public async Task<IReadOnlyList<string>> RenewAsync(CancellationToken cancellationToken)
    {
        var held = _held.ToArray();
        if (held.Length == 0)
        {
            return [];
        }

        var renewed = new HashSet<long>();
        await PostgreSqlRetry.OnceAsync(dataSource, async () =>
        {
            renewed.Clear();

            // By token only: a lease that expired while nobody took it is still this session's, and renewing it is safe.
            await using var command = dataSource.CreateCommand(
                """
                UPDATE pop3_mailbox_leases AS l SET expires_at = now() + @duration
                FROM unnest(@mailboxes::text[], @tokens::bigint[]) AS mine (mailbox, token)
                WHERE l.mailbox = mine.mailbox AND l.token = mine.token
                RETURNING l.token
                """);
            command.Parameters.AddWithValue("duration", duration);
            command.Parameters.AddWithValue("mailboxes", held.Select(lease => lease.Value).ToArray());
            command.Parameters.AddWithValue("tokens", held.Select(lease => lease.Key).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                renewed.Add(reader.GetInt64(0));
            }

            return true;
        });

        var lost = new List<string>();
        foreach (var (token, mailbox) in held)
        {
            // A lease released while the renewal ran is no longer in _held and is not lost.
            if (!renewed.Contains(token) && _held.TryRemove(token, out _))
            {
                lost.Add(mailbox);
            }
        }

        return lost;
    }

    /// <summary>Deletes the lease row if it is still this token's, and forgets it.</summary>
    public async Task ReleaseAsync(string mailbox, long token, CancellationToken cancellationToken)
    {
        _held.TryRemove(token, out _);
        await PostgreSqlRetry.OnceAsync(dataSource, async () =>
        {
            await using var command = dataSource.CreateCommand("DELETE FROM pop3_mailbox_leases WHERE mailbox = @mailbox AND token = @token");
            command.Parameters.AddWithValue("mailbox", mailbox);
            command.Parameters.AddWithValue("token", token);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        });
    }
}
