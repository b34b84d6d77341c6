using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>
/// A PostgreSQL restart while sessions are open, on a private cluster of the test's own (a restart would cut every
/// other test's connections): the leases are rows and survive it, and the first statement after it, on a pooled
/// connection the restart killed, is retried on a fresh one.
/// </summary>
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
[Trait("Category", "Slow")]
public sealed class PostgreSqlRestartTests : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private PostgreSqlTestServer? _server;

    private CancellationToken Timeout => _timeout.Token;

    public async Task InitializeAsync() => _server = await PostgreSqlTestServer.StartPrivateAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _timeout.Dispose();
    }

    [Fact]
    public async Task A_restart_keeps_every_lease_and_the_next_statements_succeed_at_once()
    {
        var connectionString = await _server!.CreateDatabaseAsync();
        await using var nodeA = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "node-a" }.ConnectionString);
        await using var nodeB = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "node-b" }.ConnectionString);
        var storeA = new PostgreSqlMailStore(nodeA, nodeA, TimeSpan.FromSeconds(30), "a");
        var storeB = new PostgreSqlMailStore(nodeB, nodeB, TimeSpan.FromSeconds(30), "b");
        await storeA.MigrateAsync(Timeout);
        await storeA.DeliverAsync("alice", new MemoryStream("Subject: one\r\n\r\n1\r\n"u8.ToArray()), null, Timeout);
        await storeA.DeliverAsync("alice", new MemoryStream("Subject: two\r\n\r\n2\r\n"u8.ToArray()), null, Timeout);

        await using var alice = new PostgreSqlMaildrop(storeA, NullLogger<PostgreSqlMaildrop>.Instance);
        Assert.Equal(MaildropOpenStatus.Opened, await alice.OpenAsync("alice", Timeout));
        var listed = await alice.ListAsync(Timeout);
        await using (var bob = new PostgreSqlMaildrop(storeB, NullLogger<PostgreSqlMaildrop>.Instance))
        {
            // Node B's pool now has an idle connection the restart will kill.
            Assert.Equal(MaildropOpenStatus.Opened, await bob.OpenAsync("bob", Timeout));
        }

        await _server.RestartAsync();
        var back = Stopwatch.StartNew();

        // The lease is still there: node B may not open alice, and says so on its first try after the restart.
        await using var intruder = new PostgreSqlMaildrop(storeB, NullLogger<PostgreSqlMaildrop>.Instance);
        Assert.Equal(MaildropOpenStatus.InUse, await intruder.OpenAsync("alice", Timeout));
        Assert.InRange(back.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));

        // Node A's session reads and commits through the restart.
        await using (var stream = await alice.OpenMessageAsync(listed[1], Timeout))
        {
            using var reader = new StreamReader(stream, Encoding.ASCII);
            Assert.Equal("Subject: two\r\n\r\n2\r\n", await reader.ReadToEndAsync(Timeout));
        }

        await alice.CommitDeletionsAsync([listed[0]], Timeout);
        await using var count = nodeB.CreateCommand("SELECT string_agg(uidl, ',') FROM pop3_messages WHERE mailbox = 'alice'");
        Assert.Equal(listed[1].Id, await count.ExecuteScalarAsync(Timeout));
    }
}
