using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.PostgreSql;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs the PostgreSQL store into a POP3 server.</summary>
public static class PostgreSqlPop3ServerBuilderExtensions
{
    /// <summary>
    /// Serves mailboxes from PostgreSQL (section <c>Pop3:PostgreSql</c>, see <see cref="PostgreSqlStoreOptions"/>),
    /// replacing any maildrop registered before. The schema is migrated at start-up, and the admin listener's
    /// <c>/readyz</c> asks the database (<see cref="PostgreSqlMailStore.CheckReadyAsync"/>). Address bans and users'
    /// familiar addresses are kept in the same database, so every node sees them.
    /// </summary>
    public static Pop3ServerBuilder AddPostgreSql(this Pop3ServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddPop3Settings<PostgreSqlStoreOptions>(PostgreSqlStoreOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(static provider =>
            NpgsqlDataSource.Create(provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.ConnectionString));
        services.TryAddSingleton(static provider => new PostgreSqlMailStore(provider.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlMigrationService>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3BackendProbe, PostgreSqlBackendProbe>());
        services.RemoveAll<IMaildrop>();
        services.AddScoped<IMaildrop, PostgreSqlMaildrop>();
        services.RemoveAll<Delivery.IPop3MailDelivery>();
        services.AddSingleton<Delivery.IPop3MailDelivery, PostgreSqlMailDelivery>();
        services.RemoveAll<Authentication.IPop3LockoutStore>();
        services.AddSingleton<Authentication.IPop3LockoutStore, PostgreSqlLockoutStore>();
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

/// <summary>For <c>/readyz</c>: the database answers with the schema this build expects. Says nothing when another maildrop is in use.</summary>
internal sealed class PostgreSqlBackendProbe(IMaildrop maildrop, PostgreSqlMailStore store) : IPop3BackendProbe
{
    public async ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        if (maildrop is not PostgreSqlMaildrop)
        {
            return null;
        }

        var (ready, reason) = await store.CheckReadyAsync(cancellationToken);
        return ready ? null : $"PostgreSQL ({PostgreSqlStoreOptions.ConnectionStringKey}): {reason}";
    }
}
