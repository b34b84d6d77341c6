using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>
/// Mailbox leases: one session per mailbox across nodes, expiry of a silent node's leases, the fence that refuses a
/// late commit, renewal, and the connection budget (no connection held by an idle session, a full pool refused fast).
/// </summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlLeaseTests(PostgreSqlFixture fixture) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly List<IAsyncDisposable> _disposables = [];
    private string _connectionString = "";
    private NpgsqlDataSource? _dataSource;

    private CancellationToken Timeout => _timeout.Token;

    public async Task InitializeAsync()
    {
        _connectionString = await fixture.Server.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        await new PostgreSqlMailStore(_dataSource).MigrateAsync(Timeout);
    }

    public async Task DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(_disposables))
        {
            await disposable.DisposeAsync();
        }

        await _dataSource!.DisposeAsync();
        await fixture.Server.DropDatabaseAsync(_connectionString);
        _timeout.Dispose();
    }

    [Fact]
    public async Task A_leased_mailbox_is_in_use_on_another_node_until_released()
    {
        var nodeA = Node("a");
        var nodeB = Node("b");
        var first = Maildrop(nodeA);
        Assert.Equal(MaildropOpenStatus.Opened, await first.OpenAsync("alice", Timeout));
        Assert.Equal(MaildropOpenStatus.InUse, await Maildrop(nodeB).OpenAsync("alice", Timeout));
        Assert.Equal(MaildropOpenStatus.InUse, await Maildrop(nodeA).OpenAsync("alice", Timeout));
        Assert.Equal("alice a", await ScalarAsync("SELECT string_agg(mailbox || ' ' || owner_node, ',') FROM pop3_mailbox_leases"));

        await first.DisposeAsync();
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM pop3_mailbox_leases"));
        Assert.Equal(MaildropOpenStatus.Opened, await Maildrop(nodeB).OpenAsync("alice", Timeout));
    }

    [Fact]
    public async Task A_silent_nodes_lease_expires_and_its_late_commit_deletes_nothing()
    {
        await DeliverAsync("alice", "Subject: keep me\r\n\r\nbody\r\n");
        var frozen = Maildrop(Node("frozen", TimeSpan.FromMilliseconds(300)));
        Assert.Equal(MaildropOpenStatus.Opened, await frozen.OpenAsync("alice", Timeout));
        var listed = await frozen.ListAsync(Timeout);

        // Nobody renews the frozen node's lease: another node gets the mailbox once it has expired, with a larger token.
        var other = Maildrop(Node("other"));
        var waited = Stopwatch.StartNew();
        while (await other.OpenAsync("alice", Timeout) == MaildropOpenStatus.InUse)
        {
            await Task.Delay(50, Timeout);
        }

        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => frozen.CommitDeletionsAsync(listed, Timeout).AsTask());
        Assert.Contains("lease of mailbox alice", error.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM pop3_messages WHERE mailbox = 'alice'"));

        // The frozen session's end does not free the mailbox it no longer holds.
        await frozen.DisposeAsync();
        Assert.Equal(MaildropOpenStatus.InUse, await Maildrop(Node("third")).OpenAsync("alice", Timeout));

        // The holder deletes as usual.
        await other.CommitDeletionsAsync(await other.ListAsync(Timeout), Timeout);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM pop3_messages WHERE mailbox = 'alice'"));
    }

    [Fact]
    public async Task Fencing_tokens_only_grow()
    {
        var node = Node("a");
        var tokens = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var maildrop = Maildrop(node);
            Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("alice", Timeout));
            tokens.Add((long)(await ScalarAsync("SELECT token FROM pop3_mailbox_leases WHERE mailbox = 'alice'"))!);
            await maildrop.DisposeAsync();
        }

        Assert.Equal(tokens.Order(), tokens);
        Assert.Equal(3, tokens.Distinct().Count());
    }

    [Fact]
    public async Task Renewal_extends_every_lease_of_the_node_in_one_statement_and_reports_those_taken_over()
    {
        var node = Node("a", TimeSpan.FromSeconds(20));
        foreach (var mailbox in new[] { "alice", "bob", "carol" })
        {
            Assert.Equal(MaildropOpenStatus.Opened, await Maildrop(node).OpenAsync(mailbox, Timeout));
        }

        // Bob's lease runs out and another node takes it; the other two are pushed forward.
        await ExecuteAsync("UPDATE pop3_mailbox_leases SET expires_at = now() + interval '1 second'");
        await ExecuteAsync("UPDATE pop3_mailbox_leases SET expires_at = now() - interval '1 second' WHERE mailbox = 'bob'");
        Assert.Equal(MaildropOpenStatus.Opened, await Maildrop(Node("b")).OpenAsync("bob", Timeout));

        Assert.Equal(["bob"], await node.Leases.RenewAsync(Timeout));
        Assert.Equal(2, node.Leases.Count);
        Assert.Equal("alice a,bob b,carol a", await ScalarAsync(
            "SELECT string_agg(mailbox || ' ' || owner_node, ',' ORDER BY mailbox) FROM pop3_mailbox_leases WHERE expires_at > now() + interval '15 seconds'"));
    }

    [Fact]
    public async Task The_node_renews_its_leases_every_third_of_the_lease_on_its_clock()
    {
        var time = new FakeTimeProvider();
        var node = Node("a", TimeSpan.FromSeconds(30));
        Assert.Equal(MaildropOpenStatus.Opened, await Maildrop(node).OpenAsync("alice", Timeout));
        await ExecuteAsync("UPDATE pop3_mailbox_leases SET expires_at = now() + interval '5 seconds'");

        var renewal = new PostgreSqlLeaseRenewal(node, time, NullLogger<PostgreSqlLeaseRenewal>.Instance);
        await renewal.StartAsync(Timeout);
        try
        {
            // The service starts its timer on a thread of its own: time moves on a third of the lease at a time until
            // the renewal shows in the row (real time never renews, the test's clock stands still otherwise).
            while ((bool)(await ScalarAsync("SELECT expires_at < now() + interval '25 seconds' FROM pop3_mailbox_leases WHERE mailbox = 'alice'"))!)
            {
                time.Advance(TimeSpan.FromSeconds(10));
                await Task.Delay(20, Timeout);
            }
        }
        finally
        {
            await renewal.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task An_idle_session_holds_no_connection()
    {
        await DeliverAsync("alice", "Subject: a\r\n\r\na\r\n");
        await DeliverAsync("bob", "Subject: b\r\n\r\nb\r\n");

        // One connection in the pool and two sessions open: each statement borrows it and gives it back.
        var node = Node("a", pool: 1);
        var alice = Maildrop(node);
        var bob = Maildrop(node);
        Assert.Equal(MaildropOpenStatus.Opened, await alice.OpenAsync("alice", Timeout));
        Assert.Equal(MaildropOpenStatus.Opened, await bob.OpenAsync("bob", Timeout));
        var aliceMessage = Assert.Single(await alice.ListAsync(Timeout));
        var bobMessage = Assert.Single(await bob.ListAsync(Timeout));
        Assert.Equal("Subject: a\r\n\r\na\r\n", await ReadAsync(alice, aliceMessage));
        Assert.Equal("Subject: b\r\n\r\nb\r\n", await ReadAsync(bob, bobMessage));
        await bob.CommitDeletionsAsync([bobMessage], Timeout);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM pop3_messages WHERE mailbox = 'bob'"));
    }

    [Fact]
    public async Task A_full_pool_makes_a_login_unavailable_within_about_a_second_and_readiness_still_answers()
    {
        var node = Node("a", pool: 1);
        await using var held = await node.DataSource.OpenConnectionAsync(Timeout);

        var waited = Stopwatch.StartNew();
        Assert.Equal(MaildropOpenStatus.Unavailable, await Maildrop(node).OpenAsync("alice", Timeout));
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(3));

        // Readiness has its own pool: it answers ready (a check that waited on the full session pool would give up after
        // its 1 s and say not ready), and the bound leaves room for a busy machine.
        waited.Restart();
        Assert.Equal((true, "schema version 4"), await node.CheckReadyAsync(Timeout));
        Assert.InRange(waited.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void The_session_pool_waits_a_second_unless_the_operator_says_otherwise()
    {
        Assert.Equal(1, new NpgsqlConnectionStringBuilder(PostgreSqlConnectionBudget.ForSessions("Host=db")).Timeout);
        Assert.Equal(7, new NpgsqlConnectionStringBuilder(PostgreSqlConnectionBudget.ForSessions("Host=db;Timeout=7")).Timeout);
        Assert.Equal(15, new NpgsqlConnectionStringBuilder(PostgreSqlConnectionBudget.ForSessions("Host=db;timeout=15")).Timeout);
        var readiness = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionBudget.ForReadiness("Host=db;Maximum Pool Size=500;Timeout=30"));
        Assert.Equal((2, 1, 1), (readiness.MaxPoolSize, readiness.Timeout, readiness.CommandTimeout));
    }

    private PostgreSqlMailStore Node(string name, TimeSpan? lease = null, int pool = 10)
    {
        var sessions = NpgsqlDataSource.Create(PostgreSqlConnectionBudget.ForSessions(
            new NpgsqlConnectionStringBuilder(_connectionString) { MaxPoolSize = pool, ApplicationName = "node-" + name }.ConnectionString));
        var readiness = NpgsqlDataSource.Create(PostgreSqlConnectionBudget.ForReadiness(_connectionString));
        _disposables.Add(sessions);
        _disposables.Add(readiness);
        return new PostgreSqlMailStore(sessions, readiness, lease ?? TimeSpan.FromSeconds(30), name);
    }

    private PostgreSqlMaildrop Maildrop(PostgreSqlMailStore store)
    {
        var maildrop = new PostgreSqlMaildrop(store, NullLogger<PostgreSqlMaildrop>.Instance);
        _disposables.Add(maildrop);
        return maildrop;
    }

    private async Task<string> ReadAsync(PostgreSqlMaildrop maildrop, MaildropMessage message)
    {
        await using var stream = await maildrop.OpenMessageAsync(message, Timeout);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(Timeout);
    }

    private Task DeliverAsync(string mailbox, string message) =>
        new PostgreSqlMailStore(_dataSource!).DeliverAsync(mailbox, new MemoryStream(Encoding.ASCII.GetBytes(message)), null, Timeout);

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        return await command.ExecuteScalarAsync(Timeout);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Timeout);
    }
}
