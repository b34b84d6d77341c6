using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.PostgreSql.Tests;
using Pop3.Server.Tests.Infrastructure;
using Pop3.Server.Tests.Operations;

namespace Pop3.Server.Tests.Stores;

/// <summary>
/// Two nodes on one PostgreSQL database count guesses and remember logins once for both: a limit is the limit of the
/// fleet, not of each node, and LOGIN-DELAY holds whichever node a client comes back to.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlSharedGuardTests(PostgreSqlFixture database) : IAsyncLifetime
{
    private const string Banned = "-ERR [SYS/TEMP] Too many failed logins from your address, try again later";
    private const string LockedOut = "-ERR [SYS/TEMP] Too many failed logins for this user, try again later";
    private const string Failed = "-ERR [AUTH] Authentication failed";
    private const int BanAfter = 6;

    private readonly Pop3ServerFactory _nodeA = PostgreSqlGuardNodes.Node(database, BanAfter);
    private readonly Pop3ServerFactory _nodeB = PostgreSqlGuardNodes.Node(database, BanAfter);

    public async Task InitializeAsync()
    {
        _ = _nodeA.Pop3EndPoint;
        _ = _nodeB.Pop3EndPoint;
        await PostgreSqlGuardNodes.ForgetAsync(_nodeA);
    }

    public async Task DisposeAsync()
    {
        // The database is shared with the other tests of the collection, which log in from 127.0.0.1 too.
        await PostgreSqlGuardNodes.ForgetAsync(_nodeA);
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
    }

    [Fact]
    public async Task Failures_on_both_nodes_add_up_to_one_ban()
    {
        // Three failures on each node: six from the address, the fleet's limit, though neither node saw six.
        foreach (var node in new[] { _nodeA, _nodeB })
        {
            await using var attacker = await RawPop3Client.ConnectAsync(node.Pop3EndPoint);
            await attacker.ReadLineAsync();
            for (var i = 0; i < BanAfter / 2; i++)
            {
                await attacker.CommandAsync($"USER user{i}");
                Assert.Equal(Failed, await attacker.CommandAsync("PASS guess" + i));
            }
        }

        await using var a = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint);
        Assert.StartsWith("+OK", await a.ReadLineAsync());
        await a.CommandAsync("USER alice");
        Assert.Equal(Banned, await a.CommandAsync("PASS secret"));

        var ban = Assert.Single(await _nodeA.Services.GetRequiredService<IPop3LockoutStore>().ListBansAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(("127.0.0.1", BanAfter), (ban.Address, ban.Failures));
    }

    [Fact]
    public async Task Guesses_sent_at_once_to_both_nodes_are_checked_at_most_the_limit_in_all()
    {
        using var metricsA = new MeasurementsOf(_nodeA);
        using var metricsB = new MeasurementsOf(_nodeB);

        // Twenty connections on each node, each sending three wrong guesses in one write: with counts per node up to
        // twice the limit would be checked; shared, guesses in flight on either node hold places. (Wrong passwords only:
        // a right one would make the address familiar for its user, whose later guesses a ban rightly does not stop.)
        var clients = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => RawPop3Client.ConnectAsync((i % 2 == 0 ? _nodeA : _nodeB).Pop3EndPoint)));
        try
        {
            await Task.WhenAll(clients.Select(c => c.ReadLineAsync()));
            var transcripts = await Task.WhenAll(clients.Select(async (c, i) =>
            {
                await c.SendAsync($"USER u{i}\r\nPASS a\r\nUSER u{i}\r\nPASS b\r\nUSER alice\r\nPASS wrong\r\nQUIT\r\n");
                return await c.ReadToEndAsync();
            }));

            var evaluated = metricsA.Sum("pop3.guesses.evaluated") + metricsB.Sum("pop3.guesses.evaluated");
            var refused = metricsA.Sum("pop3.guesses.refused") + metricsB.Sum("pop3.guesses.refused");

            // A guess is checked only while failures and guesses in flight are below the limit, and every checked guess
            // becomes a failure: exactly the limit is checked across both nodes, every other guess is refused.
            Assert.Equal(BanAfter, evaluated);
            Assert.Equal(120, evaluated + refused);
            Assert.DoesNotContain(transcripts, t => t.Contains("+OK Logged in", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_user_locked_out_through_one_node_is_locked_out_on_the_other()
    {
        await using var lockout = PostgreSqlGuardNodes.Node(database, BanAfter).With("Pop3:Authentication:LockoutAfterFailures", "2");
        await using var other = PostgreSqlGuardNodes.Node(database, BanAfter).With("Pop3:Authentication:LockoutAfterFailures", "2");
        await using (var a = await RawPop3Client.ConnectAsync(lockout.Pop3EndPoint))
        {
            await a.ReadLineAsync();
            await a.CommandAsync("USER bob");
            Assert.Equal(Failed, await a.CommandAsync("PASS wrong"));
        }

        await using var b = await RawPop3Client.ConnectAsync(other.Pop3EndPoint);
        await b.ReadLineAsync();
        await b.CommandAsync("USER bob");
        Assert.Equal(Failed, await b.CommandAsync("PASS wrong again"));
        await b.CommandAsync("USER bob");
        Assert.Equal(LockedOut, await b.CommandAsync("PASS hunter 2"));
    }

    [Fact]
    public async Task Login_delay_holds_on_the_node_the_client_did_not_log_in_to()
    {
        await using var first = PostgreSqlGuardNodes.Node(database, BanAfter).With("Pop3:LoginDelay", "300");
        await using var second = PostgreSqlGuardNodes.Node(database, BanAfter).With("Pop3:LoginDelay", "300");
        await using (var a = await RawPop3Client.ConnectAsync(first.Pop3EndPoint))
        {
            await a.LoginAsync();
            Assert.Equal("+OK Logging out", await a.CommandAsync("QUIT"));
        }

        await using var b = await RawPop3Client.ConnectAsync(second.Pop3EndPoint);
        await b.ReadLineAsync();
        await b.CommandAsync("USER alice");
        Assert.Equal("-ERR [LOGIN-DELAY] Logged in too recently, try again later", await b.CommandAsync("PASS secret"));

        var store = second.Services.GetRequiredService<PostgreSqlMailStore>();
        await using var count = store.DataSource.CreateCommand("SELECT count(*) FROM pop3_last_logins WHERE mailbox = 'alice'");
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_guess_that_ends_without_failing_leaves_no_row_behind()
    {
        await using (var a = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint))
        {
            await a.ReadLineAsync();
            await a.CommandAsync("USER alice");
            Assert.StartsWith("+OK Logged in", await a.CommandAsync("PASS secret"));
            Assert.Equal("+OK Logging out", await a.CommandAsync("QUIT"));
        }

        var store = _nodeA.Services.GetRequiredService<PostgreSqlMailStore>();
        await using var rows = store.DataSource.CreateCommand("SELECT count(*) FROM pop3_guess_windows");
        Assert.Equal(0L, await rows.ExecuteScalarAsync());
    }
}
