using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.Upstream;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary><c>Pop3:Store</c> picks the backend; a bad value or a missing setting stops start-up and names the key.</summary>
public sealed class StoreSelectionTests
{
    [Theory]
    [InlineData(null, typeof(MaildirMaildrop))]
    [InlineData("Maildir", typeof(MaildirMaildrop))]
    [InlineData("maildir", typeof(MaildirMaildrop))]
    [InlineData("PostgreSql", typeof(PostgreSqlMaildrop))]
    [InlineData("Upstream", typeof(Pop3UpstreamMaildrop))]
    [InlineData("Proxy", typeof(Pop3UpstreamMaildrop))]
    public async Task The_store_key_selects_the_backend(string? store, Type expected)
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>())
            .With("Pop3:Store", store)
            .With("Pop3:PostgreSql:ConnectionString", "Host=127.0.0.1;Port=1")
            .With("Pop3:PostgreSql:MigrateOnStart", "false")
            .With("Pop3:Upstream:Host", "127.0.0.1");
        await using var scope = server.Services.CreateAsyncScope();
        Assert.IsType(expected, scope.ServiceProvider.GetRequiredService<IMaildrop>());
    }

    [Theory]
    [InlineData("Mbox")]
    [InlineData("1")]
    [InlineData("Maildir,Upstream")]
    public async Task An_unknown_store_stops_start_up_naming_the_key(string store)
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>()).With("Pop3:Store", store);
        var error = Assert.ThrowsAny<Exception>(() => server.Services);
        Assert.Equal($"Pop3:Store is '{store}'; it must be one of: Maildir, PostgreSql, Upstream.", Innermost(error).Message);
    }

    [Fact]
    public async Task PostgreSql_without_a_connection_string_stops_start_up_naming_the_key()
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>()).With("Pop3:Store", "PostgreSql");
        var error = Assert.ThrowsAny<Exception>(() => server.Services);

        // The host may report a second fault of the failed start beside it (a service of the half-built host already
        // disposed), so the setting's message is looked for among all the exceptions, not only the innermost one.
        Assert.Contains(All(error), e => e.Message.Contains("Pop3:PostgreSql:ConnectionString is required", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_upstream_protocol_selects_the_imap_or_pop3_maildrop()
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>())
            .With("Pop3:Store", "Upstream")
            .With("Pop3:Upstream:Host", "127.0.0.1")
            .With("Pop3:Upstream:Protocol", "Imap")
            .With("Pop3:Upstream:Imap:Folder", "Archive");
        await using var scope = server.Services.CreateAsyncScope();
        Assert.IsType<ImapUpstreamMaildrop>(scope.ServiceProvider.GetRequiredService<IMaildrop>());
    }

    [Theory]
    [InlineData("Pop3:Upstream:Imap:Folder", " ", "Pop3:Upstream:Imap:Folder is empty")]
    [InlineData("Pop3:Upstream:Imap:TrashFolder", "inbox", "Pop3:Upstream:Imap:TrashFolder is the folder served")]
    public async Task A_bad_imap_setting_stops_start_up_naming_the_key(string key, string value, string expected)
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>())
            .With("Pop3:Store", "Upstream")
            .With("Pop3:Upstream:Host", "127.0.0.1")
            .With("Pop3:Upstream:Protocol", "Imap")
            .With(key, value);
        var error = Assert.ThrowsAny<Exception>(() => server.Services);
        Assert.Contains(expected, Innermost(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upstream_without_a_host_stops_start_up_naming_the_key()
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>()).With("Pop3:Store", "Upstream");
        var error = Assert.ThrowsAny<Exception>(() => server.Services);
        Assert.Contains("Pop3:Upstream:Host is required", Innermost(error).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_workarounds_wrap_the_configured_store()
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>())
            .With("Pop3:ClientWorkarounds", "outlook-no-nuls oe-ns-eoh");
        await using var scope = server.Services.CreateAsyncScope();
        Assert.Equal("ClientWorkaroundsMaildrop", scope.ServiceProvider.GetRequiredService<IMaildrop>().GetType().Name);
    }

    [Fact]
    public async Task An_unknown_client_workaround_stops_start_up_naming_the_key()
    {
        await using var server = new Pop3ServerFactory().WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>())
            .With("Pop3:ClientWorkarounds", "oe-ns-eoh nope");
        var error = Assert.ThrowsAny<Exception>(() => server.Services);
        Assert.Equal("Pop3:ClientWorkarounds: unknown workaround 'nope'; known: outlook-no-nuls, oe-ns-eoh.", Innermost(error).Message);
    }

    private static IEnumerable<Exception> All(Exception e) =>
        e is AggregateException aggregate
            ? aggregate.InnerExceptions.SelectMany(All).Prepend(e)
            : e.InnerException is { } inner ? All(inner).Prepend(e) : [e];

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
