using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// Bans and familiar addresses in the store's database (tables <c>pop3_address_bans</c> and
/// <c>pop3_familiar_addresses</c>, migration 2), so every node sees the bans any node made and the addresses a user
/// logged in from through any node. Each guess costs one query; each login one upsert that also forgets the user's
/// addresses beyond <see cref="Pop3AuthenticationOptions.FamiliarAddressesPerUser"/> and older than
/// <see cref="Pop3AuthenticationOptions.FamiliarAddressDays"/>, so the table stays bounded per user.
/// </summary>
internal sealed class PostgreSqlLockoutStore(PostgreSqlMailStore store, IOptions<Pop3AuthenticationOptions> options) : IPop3LockoutStore
{
    private NpgsqlDataSource DataSource => store.DataSource;

    public async ValueTask<Pop3AddressStanding> GetStandingAsync(string? user, string address, DateTimeOffset familiarSince, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            """
            SELECT EXISTS (SELECT 1 FROM pop3_familiar_addresses WHERE user_name = @user AND address = @address AND last_login >= @since),
                   (SELECT until FROM pop3_address_bans WHERE address = @address AND until > @now)
            """);
        command.Parameters.AddWithValue("user", (object?)user ?? DBNull.Value).NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        command.Parameters.AddWithValue("address", address);
        command.Parameters.AddWithValue("since", familiarSince);
        command.Parameters.AddWithValue("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var familiar = reader.GetBoolean(0);
        DateTimeOffset? until = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
        return new Pop3AddressStanding(familiar, until);
    }

    public async ValueTask RecordLoginAsync(string user, string address, DateTimeOffset time, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var batch = DataSource.CreateBatch();
        var upsert = new NpgsqlBatchCommand(
            """
            INSERT INTO pop3_familiar_addresses (user_name, address, last_login) VALUES (@user, @address, @time)
            ON CONFLICT (user_name, address) DO UPDATE SET last_login = GREATEST(pop3_familiar_addresses.last_login, EXCLUDED.last_login)
            """);
        upsert.Parameters.AddWithValue("user", user);
        upsert.Parameters.AddWithValue("address", address);
        upsert.Parameters.AddWithValue("time", time);
        var trim = new NpgsqlBatchCommand(
            """
            DELETE FROM pop3_familiar_addresses
            WHERE user_name = @user
              AND (last_login < @since
                   OR address IN (SELECT address FROM pop3_familiar_addresses WHERE user_name = @user ORDER BY last_login DESC OFFSET @keep))
            """);
        trim.Parameters.AddWithValue("user", user);
        trim.Parameters.AddWithValue("since", time - TimeSpan.FromDays(settings.FamiliarAddressDays));
        trim.Parameters.AddWithValue("keep", Math.Max(1, settings.FamiliarAddressesPerUser));
        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(trim);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask BanAsync(Pop3AddressBan ban, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ban);
        await using var batch = DataSource.CreateBatch();
        var upsert = new NpgsqlBatchCommand(
            """
            INSERT INTO pop3_address_bans (address, since, until, failures) VALUES (@address, @since, @until, @failures)
            ON CONFLICT (address) DO UPDATE SET since = EXCLUDED.since, until = EXCLUDED.until, failures = EXCLUDED.failures
            """);
        upsert.Parameters.AddWithValue("address", ban.Address);
        upsert.Parameters.AddWithValue("since", ban.Since);
        upsert.Parameters.AddWithValue("until", ban.Until);
        upsert.Parameters.AddWithValue("failures", ban.Failures);

        // Expired bans go when a new one comes, so the table holds little more than the bans in force.
        var expired = new NpgsqlBatchCommand("DELETE FROM pop3_address_bans WHERE until <= @since");
        expired.Parameters.AddWithValue("since", ban.Since);
        batch.BatchCommands.Add(upsert);
        batch.BatchCommands.Add(expired);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<bool> LiftBanAsync(string address, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("DELETE FROM pop3_address_bans WHERE address = @address");
        command.Parameters.AddWithValue("address", address);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async ValueTask<IReadOnlyList<Pop3AddressBan>> ListBansAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand("SELECT address, since, until, failures FROM pop3_address_bans WHERE until > @now ORDER BY since");
        command.Parameters.AddWithValue("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var bans = new List<Pop3AddressBan>();
        while (await reader.ReadAsync(cancellationToken))
        {
            bans.Add(new Pop3AddressBan(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt32(3)));
        }

        return bans;
    }

    public async ValueTask<IReadOnlyList<string>> ListFamiliarAddressesAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var command = DataSource.CreateCommand(
            "SELECT address FROM pop3_familiar_addresses WHERE last_login >= @since GROUP BY address ORDER BY max(last_login) DESC LIMIT @limit");
        command.Parameters.AddWithValue("since", since);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var addresses = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            addresses.Add(reader.GetString(0));
        }

        return addresses;
    }
}
