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
    /// replacing any maildrop registered before. Mailboxes are held by renewed leases, the schema is migrated at start-up
    /// unless <c>MigrateOnStart</c> is off, and the admin listener's <c>/readyz</c> asks the database over a connection
    /// budget of its own. Address bans, users' familiar addresses,
    /// the guess counters and the LOGIN-DELAY history are kept in the same database, so every node enforces the same
    /// limits.
    /// </summary>
    public static Pop3ServerBuilder AddPostgreSql(this Pop3ServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddPop3Settings<PostgreSqlStoreOptions>(PostgreSqlStoreOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgreSqlStoreOptions>, PostgreSqlStoreOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static provider =>
            NpgsqlDataSource.Create(PostgreSqlConnectionBudget.ForSessions(provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.ConnectionString)));
        services.TryAddSingleton(static provider => new PostgreSqlReadinessDataSource(
            NpgsqlDataSource.Create(PostgreSqlConnectionBudget.ForReadiness(provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.ConnectionString))));
        services.TryAddSingleton(static provider =>
        {
            var options = provider.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value;
            return new PostgreSqlMailStore(
                provider.GetRequiredService<NpgsqlDataSource>(),
                provider.GetRequiredService<PostgreSqlReadinessDataSource>().DataSource,
                TimeSpan.FromSeconds(options.LeaseSeconds),
                string.IsNullOrWhiteSpace(options.NodeId) ? PostgreSqlLeases.DefaultNodeId() : options.NodeId);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlMigrationService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PostgreSqlLeaseRenewal>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3BackendProbe, PostgreSqlBackendProbe>());
        services.RemoveAll<IMaildrop>();
        services.AddScoped<IMaildrop, PostgreSqlMaildrop>();
        services.RemoveAll<Delivery.IPop3MailDelivery>();
        services.AddSingleton<Delivery.IPop3MailDelivery, PostgreSqlMailDelivery>();
        services.RemoveAll<Authentication.IPop3LockoutStore>();
        services.AddSingleton<Authentication.IPop3LockoutStore, PostgreSqlLockoutStore>();
        PostgreSqlGuardRegistration.AddPostgreSqlGuards(builder);
        return builder;
    }

    /// <summary>
    /// Applies the store's pending schema migrations, for a host that runs them as a deployment step
    /// (<c>MigrateOnStart</c> off); safe while other nodes serve. Returns how many were applied.
    /// </summary>
    /// <exception cref="InvalidOperationException">The schema is newer than this version and not compatible with it.</exception>
    public static Task<int> MigratePostgreSqlAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<PostgreSqlMailStore>().MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// Whether the database's schema is one this version can serve, and the reason (its version, or what to run or
    /// upgrade), as readiness reports it.
    /// </summary>
    public static Task<(bool Supported, string Reason)> CheckPostgreSqlSchemaAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        return PostgreSqlMigrations.CheckSchemaAsync(services.GetRequiredService<PostgreSqlMailStore>().DataSource, cancellationToken);
    }
}
