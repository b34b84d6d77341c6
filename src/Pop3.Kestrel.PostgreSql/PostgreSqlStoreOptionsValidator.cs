using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>Fails start-up, naming the key, when a setting is missing or out of range.</summary>
internal sealed class PostgreSqlStoreOptionsValidator : IValidateOptions<PostgreSqlStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return ValidateOptionsResult.Fail($"{PostgreSqlStoreOptions.ConnectionStringKey} is required for the PostgreSQL store.");
        }

        return options.LeaseSeconds is < 3 or > 600
            ? ValidateOptionsResult.Fail($"{PostgreSqlStoreOptions.LeaseSecondsKey} is {options.LeaseSeconds}; it must be 3 to 600 (seconds).")
            : ValidateOptionsResult.Success;
    }
}
