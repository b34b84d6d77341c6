using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.PostgreSql.Tests;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>
/// Two nodes on one database through a real PgBouncer in transaction mode with a pool of two server connections:
/// leases, RETR and DELE+QUIT work unchanged, and many open sessions need no more PostgreSQL backends than the pool.
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlPgBouncerTests(PostgreSqlFixture database) : IAsyncLifetime
{
    private const int PoolSize = 2;
    private string _direct = "";
    private PgBouncerTestServer? _pgbouncer;
    private Pop3ServerFactory? _nodeA;
    private Pop3ServerFactory? _nodeB;

    public async Task InitializeAsync()
    {
        _direct = await database.Server.CreateDatabaseAsync();
        _pgbouncer = await PgBouncerTestServer.StartAsync(_direct, PoolSize);
        _nodeA = Node(_pgbouncer.ConnectionString);
        _nodeB = Node(_pgbouncer.ConnectionString);

        // Node A migrates through PgBouncer at start-up (a transaction-level advisory lock, so transaction mode is fine).
        _ = _nodeA.Pop3EndPoint;
        _ = _nodeB.Pop3EndPoint;
        await using var direct = NpgsqlDataSource.Create(_direct);
        var store = new PostgreSqlMailStore(direct);
        await store.DeliverAsync("alice", new MemoryStream("Subject: one\r\n\r\n.first\r\n"u8.ToArray()), "uid-1", CancellationToken.None);
        await store.DeliverAsync("alice", new MemoryStream("Subject: two\n\nsecond\n"u8.ToArray()), "uid-2", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _nodeA!.DisposeAsync();
        await _nodeB!.DisposeAsync();
        await _pgbouncer!.DisposeAsync();
        await database.Server.DropDatabaseAsync(_direct);
    }

    [Fact]
    public async Task Login_retr_dele_and_quit_work_through_pgbouncer_in_transaction_mode()
    {
        await using (var a = await RawPop3Client.ConnectAsync(_nodeA!.Pop3EndPoint))
        {
            await a.LoginAsync("alice", "secret");

            await using (var b = await RawPop3Client.ConnectAsync(_nodeB!.Pop3EndPoint))
            {
                await b.ReadLineAsync();
                await b.CommandAsync("USER alice");
                Assert.Equal("-ERR [IN-USE] Mailbox is locked by another session", await b.CommandAsync("PASS secret"));
            }

            Assert.Equal("+OK 2 48", await a.CommandAsync("STAT"));
            Assert.Equal("+OK 24 octets", await a.CommandAsync("RETR 1"));
            Assert.Equal("Subject: one\r\n\r\n..first\r\n.\r\n", Encoding.ASCII.GetString(await a.ReadMultiLineBodyAsync()));
            Assert.Equal("+OK Marked to be deleted", await a.CommandAsync("DELE 1"));
            Assert.Equal("+OK Logging out, messages deleted", await a.CommandAsync("QUIT"));
            Assert.Equal("", await a.ReadToEndAsync());
        }

        await using var again = await RawPop3Client.ConnectAsync(_nodeB!.Pop3EndPoint);
        await again.LoginAsync("alice", "secret");
        Assert.Equal("+OK 1 24", await again.CommandAsync("STAT"));
        Assert.Equal("+OK 1 uid-2", await again.CommandAsync("UIDL 1"));
        Assert.Equal("+OK Logging out", await again.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task Forty_open_sessions_use_no_more_backends_than_the_pool()
    {
        var clients = new List<RawPop3Client>();
        try
        {
            for (var i = 0; i < 40; i++)
            {
                var client = await RawPop3Client.ConnectAsync((i % 2 == 0 ? _nodeA! : _nodeB!).Pop3EndPoint);
                clients.Add(client);
                await client.LoginAsync($"user{i}", "secret");
            }

            foreach (var client in clients)
            {
                Assert.Equal("+OK", await client.CommandAsync("NOOP"));
            }

            await using var direct = NpgsqlDataSource.Create(_direct);
            await using var backends = direct.CreateCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
            Assert.InRange((long)(await backends.ExecuteScalarAsync())!, 1, PoolSize);
            await using var leases = direct.CreateCommand("SELECT count(*) FROM pop3_mailbox_leases");
            Assert.Equal(40L, await leases.ExecuteScalarAsync());
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static Pop3ServerFactory Node(string connectionString) =>
        new Pop3ServerFactory()
            .With("Pop3:Store", "PostgreSql")
            .With("Pop3:PostgreSql:ConnectionString", connectionString)
            .WithServices(services => services.AddSingleton<IPop3Authenticator, AnyUser>());

    /// <summary>Every user name with the password "secret".</summary>
    private sealed class AnyUser : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(password == "secret" ? Pop3AuthenticationResult.Success(user) : Pop3AuthenticationResult.Failure);
    }
}
