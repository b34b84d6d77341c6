using System.Data.Common;
using Npgsql;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// The connection strings the store's two pools are built from. Sessions: the operator's string, with a 1 s
/// <c>Timeout</c> unless it names one, since Npgsql's 15 s default is also how long a login would wait for a busy pool.
/// Readiness: at most two connections of its own, 1 s to connect, 1 s per command, so <c>/readyz</c> answers quickly
/// whatever the sessions do.
/// </summary>
internal static class PostgreSqlConnectionBudget
{
    private static readonly string[] s_timeoutKeys = ["Timeout", "Connect Timeout", "Connection Timeout"];

    public static string ForSessions(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!s_timeoutKeys.Any(given.ContainsKey))
        {
            builder.Timeout = 1;
        }

        return builder.ConnectionString;
    }

    public static string ForReadiness(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString)
        {
            MinPoolSize = 0,
            MaxPoolSize = 2,
            Timeout = 1,
            CommandTimeout = 1,
            ApplicationName = "pop3-readiness",
        }.ConnectionString;
}
