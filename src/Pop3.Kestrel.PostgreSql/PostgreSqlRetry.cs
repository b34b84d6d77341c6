using System.Net.Sockets;
using Npgsql;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// One retry for a statement that is safe to run twice, when it failed only because the pooled connection it got was
/// dead: after a PostgreSQL restart every idle pooled connection is (57P01 and a closed socket), so the pool's idle
/// connections are dropped before the retry, which then opens a fresh one.
/// </summary>
internal static class PostgreSqlRetry
{
    public static async Task<T> OnceAsync<T>(NpgsqlDataSource dataSource, Func<Task<T>> statement)
    {
        try
        {
            return await statement();
        }
        catch (Exception e) when (IsStaleConnection(e))
        {
            dataSource.Clear();
            return await statement();
        }
    }

    /// <summary>
    /// The server ended the connection (administrator or crash shutdown, a connection failure) or its socket broke:
    /// nothing the statement did was committed unless it had already been, and a new connection may well succeed.
    /// </summary>
    public static bool IsStaleConnection(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is "57P01" or "57P02" or "57P03" || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException { InnerException: IOException or SocketException or EndOfStreamException } => true,
        _ => false,
    };

    /// <summary>The database could not be asked: unreachable, a full pool, a timeout, a server error.</summary>
    public static bool IsDatabaseFailure(Exception exception) =>
        exception is NpgsqlException or TimeoutException or IOException or SocketException;
}
