extern alias SimpleTestSample;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;

namespace Pop3.Documentation.Tests;

/// <summary>The README synopsis's maildrop against the read-only profile: mail some other program left in the folders.</summary>
public sealed class MailFoldersReadOnlyConformanceTests(MailFoldersSampleFactory server)
    : ReadOnlyMaildropConformanceTests, IClassFixture<MailFoldersSampleFactory>
{
    protected override ValueTask<IMaildrop> CreateMaildropAsync() =>
        ValueTask.FromResult<IMaildrop>((MyMaildrop)server.Services.CreateScope().ServiceProvider.GetRequiredService<IMaildrop>());

    protected override async ValueTask<string> PrepareMailboxAsync()
    {
        var mailbox = "u" + Guid.NewGuid().ToString("N")[..16];
        var folder = Directory.CreateDirectory(Path.Combine(server.Root, mailbox)).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "a.eml"), "Subject: a\n\n.leading dot\nno final newline");
        await File.WriteAllTextAsync(Path.Combine(folder, "b.eml"), "Subject: b\r\n\r\nbare\rCR\r\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "c.eml"), "Subject: c\n\nthird\n");
        return mailbox;
    }
}

/// <summary>The SimpleTest sample (Net::Server::POP3's simpletest.pl: three messages made on the fly per user) against the read-only profile.</summary>
public sealed class SimpleTestConformanceTests(SimpleTestConformanceTests.Server server)
    : ReadOnlyMaildropConformanceTests, IClassFixture<SimpleTestConformanceTests.Server>
{
    protected override ValueTask<IMaildrop> CreateMaildropAsync() =>
        ValueTask.FromResult(server.Services.CreateScope().ServiceProvider.GetRequiredService<IMaildrop>());

    // Every user has mail: a new name is a new mailbox of three generated messages.
    protected override ValueTask<string> PrepareMailboxAsync() => ValueTask.FromResult("u" + Guid.NewGuid().ToString("N")[..16]);

    /// <summary>The sample's own Program and services, on the in-memory test server: nothing listens.</summary>
    public sealed class Server : WebApplicationFactory<SimpleTestSample::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Production");
    }
}
