using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.PostgreSql.Tests;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>Two servers on one PostgreSQL database, as two nodes behind a load balancer.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlTwoNodeTests(PostgreSqlFixture database) : IAsyncLifetime
{
    private const string First = "Subject: one\r\n\r\nbody one\r\n";
    private const string Second = "Subject: two\n\n.dot\nlast";

    private readonly Pop3ServerFactory _nodeA = Node(database);
    private readonly Pop3ServerFactory _nodeB = Node(database);
    private readonly string _user = "alice";

    public async Task InitializeAsync()
    {
        // Node A migrates at start-up; the mail arrives through the store's delivery, as the deliver command does it.
        _ = _nodeA.Pop3EndPoint;
        _ = _nodeB.Pop3EndPoint;
        var store = _nodeA.Services.GetRequiredService<PostgreSqlMailStore>();
        await using (var clear = store.DataSource.CreateCommand("DELETE FROM pop3_messages WHERE mailbox = 'alice'"))
        {
            await clear.ExecuteNonQueryAsync();
        }

        await store.DeliverAsync(_user, new MemoryStream(Encoding.ASCII.GetBytes(First)), "uid-first", CancellationToken.None);
        await store.DeliverAsync(_user, new MemoryStream(Encoding.ASCII.GetBytes(Second)), null, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
    }

    [Fact]
    public async Task A_mailbox_open_on_one_node_is_in_use_on_the_other()
    {
        await using var a = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint);
        await a.LoginAsync();

        await using var b = await RawPop3Client.ConnectAsync(_nodeB.Pop3EndPoint);
        await b.ReadLineAsync();
        Assert.Equal("+OK Send your password", await b.CommandAsync("USER alice"));
        Assert.Equal("-ERR [IN-USE] Mailbox is locked by another session", await b.CommandAsync("PASS secret"));

        Assert.Equal("+OK Logging out", await a.CommandAsync("QUIT"));
        Assert.Equal("", await a.ReadToEndAsync());
        Assert.Equal("+OK Send your password", await b.CommandAsync("USER alice"));
        Assert.StartsWith("+OK Logged in, 2 messages", await b.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task A_delete_on_one_node_is_seen_by_the_other()
    {
        var size = Corpus.Expected(Encoding.ASCII.GetBytes(Second)).Length;
        await using (var a = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint))
        {
            await a.LoginAsync();
            Assert.Equal("+OK Marked to be deleted", await a.CommandAsync("DELE 1"));
            Assert.Equal("+OK Logging out, messages deleted", await a.CommandAsync("QUIT"));
            Assert.Equal("", await a.ReadToEndAsync());
        }

        await using var b = await RawPop3Client.ConnectAsync(_nodeB.Pop3EndPoint);
        await b.LoginAsync();
        Assert.Equal($"+OK 1 {size}", await b.CommandAsync("STAT"));
        Assert.Equal($"+OK {size} octets", await b.CommandAsync("RETR 1"));
        Assert.Equal("Subject: two\r\n\r\n..dot\r\nlast\r\n.\r\n", Encoding.ASCII.GetString(await b.ReadMultiLineBodyAsync()));
        Assert.DoesNotContain("uid-first", await UidlAsync(b), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_that_drops_without_quit_deletes_nothing_and_frees_the_mailbox()
    {
        var a = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint);
        await a.LoginAsync();
        Assert.Equal("+OK Marked to be deleted", await a.CommandAsync("DELE 1"));
        a.Abort();
        await a.DisposeAsync();

        // The other node may log in once node A has noticed the drop; until then it answers [IN-USE].
        string reply;
        do
        {
            await using var b = await RawPop3Client.ConnectAsync(_nodeB.Pop3EndPoint);
            await b.ReadLineAsync();
            await b.CommandAsync("USER alice");
            reply = await b.CommandAsync("PASS secret");
        }
        while (reply.StartsWith("-ERR [IN-USE]", StringComparison.Ordinal));

        Assert.StartsWith("+OK Logged in, 2 messages", reply);
    }

    [Fact]
    public async Task A_session_whose_lease_was_taken_over_deletes_nothing_at_quit()
    {
        await using var a = await RawPop3Client.ConnectAsync(_nodeA.Pop3EndPoint);
        await a.LoginAsync();
        Assert.Equal("+OK Marked to be deleted", await a.CommandAsync("DELE 1"));

        // Node A falls silent long enough for its lease to run out (as if frozen), and node B takes the mailbox.
        var store = _nodeA.Services.GetRequiredService<PostgreSqlMailStore>();
        await using (var expire = store.DataSource.CreateCommand("UPDATE pop3_mailbox_leases SET expires_at = now() - interval '1 second' WHERE mailbox = 'alice'"))
        {
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        await using var b = await RawPop3Client.ConnectAsync(_nodeB.Pop3EndPoint);
        await b.LoginAsync();

        Assert.Equal("-ERR [SYS/TEMP] Deleting messages failed; nothing was deleted that you did not mark", await a.CommandAsync("QUIT"));
        Assert.Equal("", await a.ReadToEndAsync());
        Assert.Equal("+OK Unique-ID listing follows", await b.CommandAsync("UIDL"));
        Assert.Contains("1 uid-first", Encoding.ASCII.GetString(await b.ReadMultiLineBodyAsync()), StringComparison.Ordinal);
        Assert.Equal("+OK Logging out", await b.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task A_full_session_pool_refuses_a_login_within_about_a_second_and_the_node_stays_ready()
    {
        await using var node = Node(database).With("Pop3:PostgreSql:ConnectionString", database.ConnectionString + ";Maximum Pool Size=1");
        using var http = node.CreateAdminClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        await using var held = await node.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();

        await using var client = await RawPop3Client.ConnectAsync(node.Pop3EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER alice"));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        // The shared guess counters are the first to need a connection, so they are the ones that give up.
        Assert.Equal("-ERR [SYS/TEMP] Authentication is temporarily unavailable, try again later", await client.CommandAsync("PASS secret"));
        Assert.InRange(waited.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));

        // Readiness has its own connections: the full session pool neither makes it fail (a check that waited on that
        // pool would give up after its 1 s and answer 503) nor holds it for the pool's wait (the bound leaves room for a
        // busy machine).
        waited.Restart();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        Assert.InRange(waited.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }

    private static async Task<string> UidlAsync(RawPop3Client client)
    {
        Assert.Equal("+OK Unique-ID listing follows", await client.CommandAsync("UIDL"));
        return Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync());
    }

    private static Pop3ServerFactory Node(PostgreSqlFixture database) =>
        new Pop3ServerFactory()
            .With("Pop3:Store", "PostgreSql")
            .With("Pop3:PostgreSql:ConnectionString", database.ConnectionString)
            .WithServices(services => services.AddSingleton<IPop3Authenticator, TestUsers>());
}
