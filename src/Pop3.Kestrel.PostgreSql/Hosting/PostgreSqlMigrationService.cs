using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.PostgreSql;

namespace Pop3.Kestrel.Hosting;

/// <summary>Runs the migrations before the server takes connections (unless <see cref="PostgreSqlStoreOptions.MigrateOnStart"/> is off).</summary>
internal sealed partial class PostgreSqlMigrationService(PostgreSqlMailStore store, IOptions<PostgreSqlStoreOptions> options, Microsoft.Extensions.Logging.ILogger<PostgreSqlMigrationService> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            var applied = await store.MigrateAsync(cancellationToken);
            LogMigrated(logger, applied, PostgreSqlMigrations.Latest);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "PostgreSQL store: {Applied} migration(s) applied, schema at version {Version}")]
    private static partial void LogMigrated(Microsoft.Extensions.Logging.ILogger logger, int applied, int version);
}
