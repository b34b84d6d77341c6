using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>
/// The guess windows in PostgreSQL as two nodes see them (two data sources, two throttles, one database): places
/// held by guesses in flight, failures ageing out, lapsed places of a node that died, lockouts lifted for all, purge.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlGuessCountersTests(PostgreSqlFixture fixture) : IAsyncLifetime
{
    private const string Address = "198.51.100.7";
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));
    private readonly List<NpgsqlDataSource> _dataSources = [];
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
        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        await fixture.Server.DropDatabaseAsync(_connectionString);
        _timeout.Dispose();
    }

    [Fact]
    public async Task Guesses_in_flight_on_two_nodes_hold_places_in_one_window()
    {
        var options = new Pop3AuthenticationOptions { BanAfterFailures = 3 };
        var a = Node(options);
        var b = Node(options);

        var first = await a.TryBeginAsync(Address, "u1", familiar: false, Timeout);
        var second = await b.TryBeginAsync(Address, "u2", familiar: false, Timeout);
        var third = await a.TryBeginAsync(Address, "u3", familiar: false, Timeout);
        Assert.All(new[] { first, second, third }, s => Assert.Equal(Pop3GuessRefusal.None, s.Refusal));
        Assert.Equal(Pop3GuessRefusal.AddressBanned, (await b.TryBeginAsync(Address, "u4", familiar: false, Timeout)).Refusal);

        // A place that becomes a failure stays taken; one given back frees it.
        var failure = await b.FailAsync(second.Ticket, Address, "u2", Timeout);
        Assert.Equal(1, failure.AddressFailures);
        Assert.Equal(Pop3GuessRefusal.AddressBanned, (await a.TryBeginAsync(Address, "u5", familiar: false, Timeout)).Refusal);
        await a.EndAsync(first.Ticket!, Timeout);
        var fourth = await b.TryBeginAsync(Address, "u6", familiar: false, Timeout);
        Assert.Equal(Pop3GuessRefusal.None, fourth.Refusal);

        // A familiar user is not held back by the address's window.
        Assert.Equal(Pop3GuessRefusal.None, (await a.TryBeginAsync(Address, "u7", familiar: true, Timeout)).Refusal);
    }

    [Fact]
    public async Task The_failure_that_reaches_the_limit_starts_one_ban_and_a_delay_from_the_fleets_count()
    {
        var options = new Pop3AuthenticationOptions { BanAfterFailures = 2, FailureDelay = TimeSpan.FromSeconds(1), MaxFailureDelay = TimeSpan.FromSeconds(8) };
        var a = Node(options);
        var b = Node(options);

        var one = await a.FailAsync((await a.TryBeginAsync(Address, null, false, Timeout)).Ticket, Address, null, Timeout);
        var two = await b.FailAsync((await b.TryBeginAsync(Address, null, false, Timeout)).Ticket, Address, null, Timeout);

        Assert.Equal((1, TimeSpan.FromSeconds(1), false), (one.AddressFailures, one.Delay, one.Ban is not null));
        Assert.Equal((2, TimeSpan.FromSeconds(2)), (two.AddressFailures, two.Delay));
        Assert.Equal(new Pop3AddressBan(Address, _time.GetUtcNow(), _time.GetUtcNow() + options.BanDuration, 2), two.Ban);
    }

    [Fact]
    public async Task Failures_age_out_with_their_window()
    {
        var options = new Pop3AuthenticationOptions { BanAfterFailures = 2, BanDuration = TimeSpan.FromMinutes(10) };
        var a = Node(options);
        await a.FailAsync(null, Address, null, Timeout);
        _time.Advance(TimeSpan.FromMinutes(4));
        await a.FailAsync(null, Address, null, Timeout);
        Assert.Equal(Pop3GuessRefusal.AddressBanned, (await a.TryBeginAsync(Address, null, false, Timeout)).Refusal);

        _time.Advance(TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(1));
        var start = await a.TryBeginAsync(Address, null, false, Timeout);
        Assert.Equal(Pop3GuessRefusal.None, start.Refusal);
        Assert.Equal(2, (await a.FailAsync(start.Ticket, Address, null, Timeout)).AddressFailures);
    }

    [Fact]
    public async Task Places_held_by_a_node_that_died_lapse()
    {
        var options = new Pop3AuthenticationOptions { BanAfterFailures = 1 };
        var dead = Node(options);
        var alive = Node(options);
        Assert.Equal(Pop3GuessRefusal.None, (await dead.TryBeginAsync(Address, "alice", false, Timeout)).Refusal);
        Assert.Equal(Pop3GuessRefusal.AddressBanned, (await alive.TryBeginAsync(Address, "bob", false, Timeout)).Refusal);

        _time.Advance(PostgreSqlGuessStore.Hold);
        Assert.Equal(Pop3GuessRefusal.None, (await alive.TryBeginAsync(Address, "bob", false, Timeout)).Refusal);
    }

    [Fact]
    public async Task A_lockout_made_through_one_node_is_lifted_for_every_node()
    {
        var options = new Pop3AuthenticationOptions { LockoutAfterFailures = 2, MaxFailuresPerUserAddress = 5 };
        var a = Node(options);
        var b = Node(options);
        await a.FailAsync(null, "192.0.2.1", "bob", Timeout);
        var locking = await b.FailAsync(null, "192.0.2.2", "bob", Timeout);
        Assert.Equal(_time.GetUtcNow() + options.LockoutDuration, locking.LockedOutUntil);
        Assert.Equal(Pop3GuessRefusal.UserLockedOut, (await a.TryBeginAsync("192.0.2.3", "bob", false, Timeout)).Refusal);
        Assert.Equal(Pop3GuessRefusal.None, (await a.TryBeginAsync("192.0.2.3", "bob", familiar: true, Timeout)).Refusal);

        Assert.True(await b.UnlockAsync("bob", Timeout));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM pop3_guess_windows WHERE kind <> 0"));
        Assert.False(await b.UnlockAsync("bob", Timeout));
        Assert.Equal(Pop3GuessRefusal.None, (await a.TryBeginAsync("192.0.2.4", "bob", false, Timeout)).Refusal);
    }

    [Fact]
    public async Task Rows_whose_windows_are_over_are_purged_by_the_next_guess()
    {
        var options = new Pop3AuthenticationOptions();
        var a = Node(options);
        for (var i = 0; i < 20; i++)
        {
            await a.FailAsync(null, $"203.0.113.{i}", $"user{i}", Timeout);
        }

        Assert.Equal(60L, await ScalarAsync("SELECT count(*) FROM pop3_guess_windows"));
        _time.Advance(options.LockoutDuration + TimeSpan.FromMinutes(1));
        var start = await a.TryBeginAsync("192.0.2.200", "carol", false, Timeout);
        await a.EndAsync(start.Ticket!, Timeout);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM pop3_guess_windows"));
    }

    // One node: the store in the database, seen through the counters the login guard uses.
    private Pop3StoredGuessCounters Node(Pop3AuthenticationOptions options)
    {
        var dataSource = NpgsqlDataSource.Create(_connectionString);
        _dataSources.Add(dataSource);
        var settings = Options.Create(options);
        return new Pop3StoredGuessCounters(new PostgreSqlGuessStore(new PostgreSqlMailStore(dataSource), settings, _time), new Pop3LoginThrottle(settings, _time));
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var command = dataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync(Timeout);
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
