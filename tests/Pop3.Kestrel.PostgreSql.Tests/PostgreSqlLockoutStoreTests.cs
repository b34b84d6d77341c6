using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>Bans and familiar addresses in PostgreSQL: kept across a restart, shared by nodes, bounded per user.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlLockoutStoreTests(PostgreSqlFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private string _connectionString = "";

    private CancellationToken Timeout => _timeout.Token;

    public async Task InitializeAsync()
    {
        _connectionString = await fixture.Server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await new PostgreSqlMailStore(dataSource).MigrateAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        await fixture.Server.DropDatabaseAsync(_connectionString);
        _timeout.Dispose();
    }

    [Fact]
    public async Task Bans_and_familiar_addresses_survive_a_restart_and_are_seen_by_another_node()
    {
        await using (var before = NpgsqlDataSource.Create(_connectionString))
        {
            var node = Store(before);
            await node.RecordLoginAsync("bob", "198.51.100.20", Now.AddDays(-3), Timeout);
            await node.BanAsync(new Pop3AddressBan("2001:db8:1:2::/64", Now, Now.AddMinutes(15), 10), Timeout);
        }

        await using var after = NpgsqlDataSource.Create(_connectionString);
        var restarted = Store(after);
        Assert.Equal(new Pop3AddressStanding(true, null), await restarted.GetStandingAsync("bob", "198.51.100.20", Now.AddDays(-30), Now, Timeout));
        Assert.Equal(new Pop3AddressStanding(false, null), await restarted.GetStandingAsync("alice", "198.51.100.20", Now.AddDays(-30), Now, Timeout));
        Assert.Equal(new Pop3AddressStanding(false, null), await restarted.GetStandingAsync("bob", "198.51.100.20", Now.AddDays(-2), Now, Timeout));
        Assert.Equal(new Pop3AddressStanding(false, Now.AddMinutes(15)), await restarted.GetStandingAsync(null, "2001:db8:1:2::/64", Now, Now, Timeout));
        Assert.Equal([new Pop3AddressBan("2001:db8:1:2::/64", Now, Now.AddMinutes(15), 10)], await restarted.ListBansAsync(Now, Timeout));
        Assert.Equal(["198.51.100.20"], await restarted.ListFamiliarAddressesAsync(Now.AddDays(-30), 10, Timeout));

        // A ban is over when its time is, and an operator can lift one early.
        Assert.Empty(await restarted.ListBansAsync(Now.AddMinutes(15), Timeout));
        Assert.True(await restarted.LiftBanAsync("2001:db8:1:2::/64", Timeout));
        Assert.False(await restarted.LiftBanAsync("2001:db8:1:2::/64", Timeout));
        Assert.Equal(new Pop3AddressStanding(false, null), await restarted.GetStandingAsync(null, "2001:db8:1:2::/64", Now, Now, Timeout));
    }

    [Fact]
    public async Task A_user_keeps_only_the_most_recent_familiar_addresses()
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        var store = Store(dataSource, perUser: 3);
        for (var i = 1; i <= 5; i++)
        {
            await store.RecordLoginAsync("alice", $"192.0.2.{i}", Now.AddHours(i), Timeout);
        }

        // A login long ago is forgotten too, however few addresses the user has.
        await store.RecordLoginAsync("carol", "192.0.2.9", Now.AddDays(-60), Timeout);
        await store.RecordLoginAsync("carol", "192.0.2.10", Now, Timeout);

        await using var command = dataSource.CreateCommand("SELECT string_agg(user_name || '@' || address, ' ' ORDER BY user_name, last_login DESC) FROM pop3_familiar_addresses");
        Assert.Equal("alice@192.0.2.5 alice@192.0.2.4 alice@192.0.2.3 carol@192.0.2.10", await command.ExecuteScalarAsync(Timeout));
    }

    private static PostgreSqlLockoutStore Store(NpgsqlDataSource dataSource, int perUser = 10) =>
        new(new PostgreSqlMailStore(dataSource), Options.Create(new Pop3AuthenticationOptions { FamiliarAddressesPerUser = perUser, FamiliarAddressDays = 30 }));
}
