using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.PostgreSql.Tests;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>Two nodes on one PostgreSQL database share bans and familiar addresses.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlBanTests(PostgreSqlFixture database) : IAsyncLifetime
{
    private const string Banned = "-ERR [SYS/TEMP] Too many failed logins from your address, try again later";

    private readonly Pop3ServerFactory _nodeA = PostgreSqlGuardNodes.Node(database, 3);
    private readonly Pop3ServerFactory _nodeB = PostgreSqlGuardNodes.Node(database, 3);

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
    public async Task A_ban_made_on_one_node_refuses_strangers_on_the_other_but_not_a_familiar_user()
    {
        await using (var bob = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint))
        {
            await bob.ReadLineAsync();
            await bob.CommandAsync("USER bob");
            Assert.StartsWith("+OK Logged in", await bob.CommandAsync("PASS hunter 2"));
            Assert.Equal("+OK Logging out", await bob.CommandAsync("QUIT"));
        }

        await using (var attacker = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint))
        {
            await attacker.ReadLineAsync();
            for (var i = 0; i < 3; i++)
            {
                await attacker.CommandAsync("USER mallory");
                Assert.Equal("-ERR [AUTH] Authentication failed", await attacker.CommandAsync("PASS guess" + i));
            }
        }

        await using var b = await RawPop3Client.ConnectAsync(_nodeB.Pop3EndPoint);
        await b.ReadLineAsync();
        await b.CommandAsync("USER alice");
        Assert.Equal(Banned, await b.CommandAsync("PASS secret"));
        await b.CommandAsync("USER bob");
        Assert.StartsWith("+OK Logged in", await b.CommandAsync("PASS hunter 2"));

        var ban = Assert.Single(await _nodeB.Services.GetRequiredService<IPop3LockoutStore>().ListBansAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(("127.0.0.1", 3), (ban.Address, ban.Failures));
    }
}
