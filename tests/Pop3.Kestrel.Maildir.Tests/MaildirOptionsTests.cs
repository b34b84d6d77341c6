using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

public sealed class MaildirOptionsTests : IDisposable
{
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData(".alice")]
    [InlineData("a/b")]
    [InlineData("../etc")]
    [InlineData("a\\b")]
    [InlineData("a..b")]
    [InlineData("a\0b")]
    [InlineData("a\nb")]
    public async Task Unsafe_user_names_are_refused_as_unavailable_and_create_nothing(string user)
    {
        await using var maildrop = _maildirs.CreateMaildrop();

        Assert.Equal(MaildropOpenStatus.Unavailable, await maildrop.OpenAsync(user, CancellationToken.None));
        Assert.Empty(Directory.GetFileSystemEntries(_maildirs.Folder));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("alice@example.org")]
    [InlineData("j.doe+pop")]
    [InlineData("Zoë")]
    public async Task Ordinary_user_names_open_their_own_maildir(string user)
    {
        await using var maildrop = _maildirs.CreateMaildrop();

        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync(user, CancellationToken.None));
        Assert.True(Directory.Exists(Path.Combine(_maildirs.Root(user), "cur")));
    }

    [Fact]
    public void Relative_template_is_relative_to_the_current_directory() =>
        Assert.Equal(
            Path.Combine(Environment.CurrentDirectory, "data", "mail", "bob", "Maildir"),
            MaildirUserPath.Resolve(new MaildirOptions().Path, "bob"));

    [Fact]
    public async Task AddMaildir_replaces_an_earlier_maildrop_and_binds_Pop3_Maildir()
    {
        var services = Services(new() { ["Pop3:Maildir:Path"] = _maildirs.Template });
        services.AddScoped<IMaildrop, UnusedMaildrop>();
        services.AddScoped<IMaildrop, UnusedMaildrop>();

        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        await using var scope = provider.CreateAsyncScope();

        Assert.Single(services, d => d.ServiceType == typeof(IMaildrop));
        var maildrop = Assert.IsType<MaildirMaildrop>(scope.ServiceProvider.GetRequiredService<IMaildrop>());
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("carol", CancellationToken.None));
        Assert.True(Directory.Exists(_maildirs.Root("carol")));
    }

    [Fact]
    public async Task Scoped_maildrops_are_one_per_session()
    {
        var services = Services(new() { ["Pop3:Maildir:Path"] = _maildirs.Template });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider();
        await using var one = provider.CreateAsyncScope();
        await using var two = provider.CreateAsyncScope();

        Assert.NotSame(one.ServiceProvider.GetRequiredService<IMaildrop>(), two.ServiceProvider.GetRequiredService<IMaildrop>());
    }

    [Theory]
    [InlineData("data/mail/Maildir", "Pop3:Maildir:Path must contain {user}")]
    [InlineData(" ", "Pop3:Maildir:Path must not be empty")]
    public async Task Bad_path_template_fails_naming_the_key(string path, string message)
    {
        var services = Services(new() { ["Pop3:Maildir:Path"] = path });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MaildirOptions>>().Value);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Negative_listing_cache_bound_fails_naming_the_key()
    {
        var services = Services(new() { ["Pop3:Maildir:Path"] = _maildirs.Template, ["Pop3:Maildir:ListingCacheMessages"] = "-1" });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<MaildirOptions>>().Value);
        Assert.Contains("Pop3:Maildir:ListingCacheMessages must be 0 (no cache) or more (it is -1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_of_AddMaildir_share_one_listing_cache()
    {
        var services = Services(new() { ["Pop3:Maildir:Path"] = _maildirs.Template });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        for (var session = 0; session < 2; session++)
        {
            await using var scope = provider.CreateAsyncScope();
            var maildrop = scope.ServiceProvider.GetRequiredService<IMaildrop>();
            Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("dave", CancellationToken.None));
            _ = await maildrop.ListAsync(CancellationToken.None);
        }

        // Both listings went through the one cache (a Maildir just created is too fresh to be kept, so both were read).
        Assert.Equal(2, provider.GetRequiredService<MaildirListingCache>().Reads);
    }

    [Fact]
    public void Default_path_is_valid() =>
        Assert.True(new MaildirOptionsValidator().Validate(null, new MaildirOptions()).Succeeded);

    [Theory]
    [InlineData("/srv/mail/{user}/Maildir", "/srv/mail/.pop3-kestrel.locks")]
    [InlineData("/srv/mail/u-{user}/Maildir", "/srv/mail/.pop3-kestrel.locks")]
    [InlineData("/srv/mail/{user}", "/srv/mail/.pop3-kestrel.locks")]
    [InlineData("/home/{user}/Maildir", "/home/.pop3-kestrel.locks")]
    [InlineData("/srv/mail/../mail/{user}/Maildir", "/srv/mail/.pop3-kestrel.locks")]
    public void Default_lock_file_lies_in_the_fixed_directory_before_the_first_placeholder(string template, string expected)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The paths above are Unix paths.
        }

        Assert.Equal(expected, MaildirLocks.DefaultLockFile(template));
    }

    [Fact]
    public void Default_lock_file_of_a_relative_template_is_relative_to_the_current_directory() =>
        Assert.Equal(
            Path.Combine(Environment.CurrentDirectory, "data", "mail", MaildirLocks.DefaultLockFileName),
            MaildirLocks.DefaultLockFile(new MaildirOptions().Path));

    [Fact]
    public async Task Start_up_creates_the_default_lock_file_in_an_existing_mail_root()
    {
        Skip.Unless(MaildirLocks.SharedFileSupported, "needs the shared lock file: Linux on x64 or arm64");

        Directory.CreateDirectory(Path.Combine(_maildirs.Folder, "mail"));
        var template = Path.Combine(_maildirs.Folder, "mail", MaildirOptions.UserPlaceholder, "Maildir");
        var services = Services(new() { ["Pop3:Maildir:Path"] = template });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider();

        await StartAsync(provider);

        Assert.True(File.Exists(Path.Combine(_maildirs.Folder, "mail", MaildirLocks.DefaultLockFileName)));
        Assert.Equal(Path.Combine(_maildirs.Folder, "mail", MaildirLocks.DefaultLockFileName), provider.GetRequiredService<MaildirLocks>().LockFile);
    }

    [Fact]
    public async Task A_missing_mail_root_is_not_created_at_start_up_and_the_first_login_opens_the_lock_file()
    {
        Skip.Unless(MaildirLocks.SharedFileSupported, "needs the shared lock file: Linux on x64 or arm64");

        // A storage that is not mounted yet must stay visible as missing (readiness reports it), not be papered over.
        var mailRoot = Path.Combine(_maildirs.Folder, "mail");
        var services = Services(new() { ["Pop3:Maildir:Path"] = Path.Combine(mailRoot, MaildirOptions.UserPlaceholder, "Maildir") });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider();

        await StartAsync(provider);
        Assert.False(Directory.Exists(mailRoot));

        await using (var scope = provider.CreateAsyncScope())
        {
            var first = scope.ServiceProvider.GetRequiredService<IMaildrop>();
            Assert.Equal(MaildropOpenStatus.Opened, await first.OpenAsync("alice", CancellationToken.None));
            Assert.True(File.Exists(Path.Combine(mailRoot, MaildirLocks.DefaultLockFileName)));

            var options = provider.GetRequiredService<IOptions<MaildirOptions>>();
            using var otherProcess = new MaildirLocks(options);
            await using var other = new MaildirMaildrop(options, otherProcess, NullLogger<MaildirMaildrop>.Instance);
            Assert.Equal(MaildropOpenStatus.InUse, await other.OpenAsync("alice", CancellationToken.None));
        }
    }

    [Fact]
    public async Task Unusable_lock_file_stops_the_start_naming_the_setting()
    {
        Skip.Unless(MaildirLocks.SharedFileSupported, "needs the shared lock file: Linux on x64 or arm64");

        // A lock file "inside" a regular file can be neither created nor opened.
        var notADirectory = Path.Combine(_maildirs.Folder, "plain-file");
        await File.WriteAllTextAsync(notADirectory, "");
        var services = Services(new()
        {
            ["Pop3:Maildir:Path"] = _maildirs.Template,
            ["Pop3:Maildir:LockFile"] = Path.Combine(notADirectory, "locks"),
        });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(provider));
        Assert.StartsWith("Pop3:Maildir:LockFile: cannot use the lock file '" + Path.Combine(notADirectory, "locks") + "'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Per_maildir_locking_opens_no_shared_lock_file()
    {
        var services = Services(new() { ["Pop3:Maildir:Path"] = _maildirs.Template, ["Pop3:Maildir:Locking"] = "PerMaildir" });
        new Pop3ServerBuilder(services).AddMaildir();
        await using var provider = services.BuildServiceProvider();

        await StartAsync(provider);

        Assert.Null(provider.GetRequiredService<MaildirLocks>().LockFile);
        Assert.Empty(Directory.GetFileSystemEntries(_maildirs.Folder));
    }

    private static async Task StartAsync(IServiceProvider provider)
    {
        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services;
    }

    private sealed class UnusedMaildrop : IMaildrop
    {
        public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
