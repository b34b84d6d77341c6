using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>What the PostgreSQL store promises beyond the maildrop contract: migrations, readiness, streaming.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlStoreTests(PostgreSqlFixture fixture) : IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private string _connectionString = "";
    private NpgsqlDataSource? _dataSource;

    private CancellationToken Timeout => _timeout.Token;

    private PostgreSqlMailStore Store => new(_dataSource!);

    public async Task InitializeAsync()
    {
        // A database of its own, so the migration tests start from nothing.
        _connectionString = await fixture.Server.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_connectionString);
    }

    public async Task DisposeAsync()
    {
        await _dataSource!.DisposeAsync();
        await fixture.Server.DropDatabaseAsync(_connectionString);
        _timeout.Dispose();
    }

    [Fact]
    public async Task Migrations_create_the_schema_once_and_record_each_version()
    {
        Assert.Equal(0, await PostgreSqlMigrations.CurrentVersionAsync(_dataSource!, Timeout));
        Assert.Equal(PostgreSqlMigrations.All.Count, await Store.MigrateAsync(Timeout));
        Assert.Equal(0, await Store.MigrateAsync(Timeout));

        await using var command = _dataSource!.CreateCommand("SELECT string_agg(version::text || ':' || description, ',' ORDER BY version) FROM pop3_schema");
        Assert.Equal("1:messages,2:bans and familiar addresses,3:mailbox leases,4:shared guess windows and login history", await command.ExecuteScalarAsync(Timeout));
    }

    [Fact]
    public async Task Nodes_starting_together_migrate_once()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Store.MigrateAsync(Timeout))));
        Assert.Equal(PostgreSqlMigrations.All.Count, results.Sum());
    }

    [Fact]
    public async Task A_schema_newer_than_the_server_stops_it()
    {
        await Store.MigrateAsync(Timeout);
        await using (var command = _dataSource!.CreateCommand("INSERT INTO pop3_schema (version, description) VALUES (999, 'future')"))
        {
            await command.ExecuteNonQueryAsync(Timeout);
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.MigrateAsync(Timeout));
        Assert.Contains("version 999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_needs_a_schema_this_build_supports()
    {
        Assert.Equal((false, "schema version 0, this server needs 3 to 4 (run the migrate command)"), await Store.CheckReadyAsync(Timeout));
        await Store.MigrateAsync(Timeout);
        Assert.Equal((true, "schema version 4"), await Store.CheckReadyAsync(Timeout));
    }

    [Fact]
    public async Task A_newer_additive_migration_keeps_this_build_ready_and_a_breaking_one_does_not()
    {
        // A rolling upgrade: the new release's migration 4 only adds, so the pods of this release stay in service.
        await Store.MigrateAsync(Timeout);
        var latest = PostgreSqlMigrations.Latest;
        await ExecuteAsync($"INSERT INTO pop3_schema (version, description, oldest_server) VALUES ({latest + 1}, 'additive', {latest})");
        Assert.Equal((true, $"schema version {latest + 1}"), await Store.CheckReadyAsync(Timeout));
        Assert.Equal(0, await Store.MigrateAsync(Timeout));

        await ExecuteAsync($"INSERT INTO pop3_schema (version, description, oldest_server) VALUES ({latest + 2}, 'breaking', {latest + 2})");
        Assert.Equal((false, $"schema version {latest + 2} needs a server of version {latest + 2} or later, this one is {latest}"), await Store.CheckReadyAsync(Timeout));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.MigrateAsync(Timeout));
    }

    [Fact]
    public async Task Readiness_of_an_unreachable_database_is_false_not_an_exception()
    {
        var closed = new NpgsqlConnectionStringBuilder(_connectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(closed);
        var (ready, reason) = await new PostgreSqlMailStore(dataSource).CheckReadyAsync(Timeout);
        Assert.False(ready);
        Assert.NotEmpty(reason);
    }

    [Fact]
    public async Task An_unreachable_database_makes_the_mailbox_unavailable()
    {
        var closed = new NpgsqlConnectionStringBuilder(_connectionString) { Port = 1, Timeout = 2 }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(closed);
        await using var maildrop = new PostgreSqlMaildrop(new PostgreSqlMailStore(dataSource), NullLogger<PostgreSqlMaildrop>.Instance);
        Assert.Equal(MaildropOpenStatus.Unavailable, await maildrop.OpenAsync("alice", Timeout));
    }

    [Fact]
    public async Task A_large_message_streams_byte_for_byte()
    {
        await Store.MigrateAsync(Timeout);
        var body = new byte[8 * 1024 * 1024];
        RandomNumberGenerator.Fill(body);
        byte[] message = [.. "Subject: big\r\n\r\n"u8, .. body];
        await Store.DeliverAsync("big", new MemoryStream(message), null, Timeout);

        await using var maildrop = new PostgreSqlMaildrop(Store, NullLogger<PostgreSqlMaildrop>.Instance);
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("big", Timeout));
        var listed = Assert.Single(await maildrop.ListAsync(Timeout));
        Assert.Equal(MaildropMessage.MeasureSize(message), listed.Size);
        await using var stream = await maildrop.OpenMessageAsync(listed, Timeout);
        Assert.False(stream.CanSeek);
        var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Timeout);
        Assert.Equal(message, copy.ToArray());
    }

    [Fact]
    public async Task Delivery_from_a_pipe_keeps_a_given_uidl_and_ignores_a_second_copy()
    {
        await Store.MigrateAsync(Timeout);
        var message = "Subject: kept\n\nbody\n"u8.ToArray();
        Assert.Equal("00000001abcdef01", await Store.DeliverAsync("alice", new NonSeekable(message), "00000001abcdef01", Timeout));
        Assert.Null(await Store.DeliverAsync("alice", new NonSeekable(message), "00000001abcdef01", Timeout));
        Assert.Equal("00000001abcdef01", await Store.DeliverAsync("bob", new NonSeekable(message), "00000001abcdef01", Timeout));

        await using var maildrop = new PostgreSqlMaildrop(Store, NullLogger<PostgreSqlMaildrop>.Instance);
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("alice", Timeout));
        var listed = Assert.Single(await maildrop.ListAsync(Timeout));
        Assert.Equal(("00000001abcdef01", (long?)23), (listed.Id, listed.Size));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("caf\u00e9")]
    public async Task Delivery_refuses_a_uidl_pop3_cannot_carry(string uidl)
    {
        await Store.MigrateAsync(Timeout);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.DeliverAsync("alice", new MemoryStream("x\n"u8.ToArray()), uidl, Timeout));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource!.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(Timeout);
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;
    }
}
