using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.PostgreSql;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs the PostgreSQL store into a POP3 server.</summary>
public static class PostgreSqlPop3ServerBuilderExtensions
{
    /// <summary>
    /// Serves mailboxes from PostgreSQL (section <c>Pop3:PostgreSql</c>, see <see cref="PostgreSqlStoreOptions"/>),
    /// replacing any maildrop registered before. The schema is migrated at start-up, and a health check named
    /// <c>postgresql</c> (tag <c>ready</c>) reports readiness.
    /// </summary>
    public static Pop3ServerBuilder AddPostgreSql(this Pop3ServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<PostgreSqlStoreOptions>().BindConfiguration(PostgreSqlStoreOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(static provider =>
            NpgsqlDataSource.Create(provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.ConnectionString));
        services.TryAddSingleton(static provider => new PostgreSqlMailStore(provider.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlMigrationService>());
        services.AddHealthChecks().AddCheck<PostgreSqlReadinessCheck>("postgresql", tags: ["ready"]);
        services.RemoveAll<IMaildrop>();
        services.AddScoped<IMaildrop, PostgreSqlMaildrop>();
        return builder;
    }
}

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

/// <summary>Healthy when the database answers with the expected schema version.</summary>
internal sealed class PostgreSqlReadinessCheck(PostgreSqlMailStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (ready, reason) = await store.CheckReadyAsync(cancellationToken);
        return ready ? HealthCheckResult.Healthy(reason) : HealthCheckResult.Unhealthy(reason);
    }
}
