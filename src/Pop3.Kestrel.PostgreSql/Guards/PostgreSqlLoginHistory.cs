using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// When each mailbox was last logged in to, for LOGIN-DELAY, in <c>pop3_last_logins</c> (migration 4): one row per
/// mailbox that has ever been opened, so a user who just logged in through one node waits on every node.
/// </summary>
internal sealed class PostgreSqlLoginHistory(PostgreSqlMailStore store) : IPop3LoginHistory
{
    public async ValueTask<DateTimeOffset?> GetLastLoginAsync(string user, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand("SELECT last_login FROM pop3_last_logins WHERE mailbox = @mailbox");
        command.Parameters.AddWithValue("mailbox", user);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime last ? new DateTimeOffset(last, TimeSpan.Zero) : null;
    }

    public async ValueTask RecordLoginAsync(string user, DateTimeOffset time, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand(
            """
            INSERT INTO pop3_last_logins AS l (mailbox, last_login) VALUES (@mailbox, @time)
            ON CONFLICT (mailbox) DO UPDATE SET last_login = greatest(l.last_login, EXCLUDED.last_login)
            """);
        command.Parameters.AddWithValue("mailbox", user);
        command.Parameters.AddWithValue("time", time);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
