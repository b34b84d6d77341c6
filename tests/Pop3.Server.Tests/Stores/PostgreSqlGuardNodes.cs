using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.PostgreSql.Tests;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>Nodes of a fleet on the collection's PostgreSQL database, and the guard state they share.</summary>
internal static class PostgreSqlGuardNodes
{
    /// <summary>A node on <paramref name="database"/> that bans an address after <paramref name="banAfter"/> failures.</summary>
    public static Pop3ServerFactory Node(PostgreSqlFixture database, int banAfter) =>
        new Pop3ServerFactory()
            .With("Pop3:Store", "PostgreSql")
            .With("Pop3:PostgreSql:ConnectionString", database.ConnectionString)
            .With("Pop3:Authentication:BanAfterFailures", banAfter.ToString(CultureInfo.InvariantCulture))
            .With("Pop3:Authentication:MaxAttempts", "10")
            .WithServices(services => services.AddSingleton<IPop3Authenticator, TestUsers>());

    /// <summary>
    /// Forgets every ban, familiar address, guess window and remembered login: the database is shared with the other
    /// tests of the collection, which log in from 127.0.0.1 too.
    /// </summary>
    public static async Task ForgetAsync(Pop3ServerFactory node)
    {
        var store = node.Services.GetRequiredService<PostgreSqlMailStore>();
        await using var command = store.DataSource.CreateCommand(
            "DELETE FROM pop3_address_bans; DELETE FROM pop3_familiar_addresses; DELETE FROM pop3_guess_windows; DELETE FROM pop3_last_logins");
        await command.ExecuteNonQueryAsync();
    }
}
