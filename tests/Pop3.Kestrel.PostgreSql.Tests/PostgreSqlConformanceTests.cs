using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;

namespace Pop3.Kestrel.PostgreSql.Tests;

/// <summary>The PostgreSQL store against the maildrop contract, on a real server.</summary>
[Collection(PostgreSqlCollection.Name)]
[Trait("Category", "Interop")]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlConformanceTests(PostgreSqlFixture database) : MaildropConformanceTests
{
    private NpgsqlDataSource? _dataSource;
    private PostgreSqlMailStore? _store;

    public override async Task InitializeAsync()
    {
        _dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        _store = new PostgreSqlMailStore(_dataSource);
        await _store.MigrateAsync(CancellationToken.None);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _dataSource!.DisposeAsync();
    }

    protected override ValueTask<IMaildrop> CreateMaildropAsync() =>
        ValueTask.FromResult<IMaildrop>(new PostgreSqlMaildrop(_store!, NullLogger<PostgreSqlMaildrop>.Instance));

    protected override async ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        using var stream = new MemoryStream(message.ToArray(), writable: false);
        await _store!.DeliverAsync(mailbox, stream, null, CancellationToken.None);
    }
}
