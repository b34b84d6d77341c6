using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>The PostgreSQL store. Bound from the configuration section <c>Pop3:PostgreSql</c>.</summary>
public sealed class PostgreSqlStoreOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:PostgreSql";

    /// <summary>The configuration key of <see cref="ConnectionString"/>.</summary>
    public const string ConnectionStringKey = SectionName + ":ConnectionString";

    /// <summary>
    /// An Npgsql connection string, e.g. <c>Host=db;Database=mail;Username=pop3;Password=…</c>. Connections are
    /// pooled; every open POP3 session holds one (it carries the mailbox lock), so size
    /// <c>Maximum Pool Size</c> for the sessions a node serves at once.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Create and upgrade the schema at start-up (default). Off: an operator runs the migrations.</summary>
    public bool MigrateOnStart { get; set; } = true;
}

/// <summary>Fails start-up, naming the key, when no connection string is configured.</summary>
internal sealed class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail($"{PostgreSqlStoreOptions.ConnectionStringKey} is required for the PostgreSQL store.")
            : ValidateOptionsResult.Success;
}
