using Npgsql;

namespace Pop3.Kestrel.Hosting;

/// <summary>Readiness's own small pool, disposed with the container.</summary>
internal sealed class PostgreSqlReadinessDataSource(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
