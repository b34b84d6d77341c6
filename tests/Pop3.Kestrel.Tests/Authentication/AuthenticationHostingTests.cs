using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed class AuthenticationHostingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private IHost BuildHost(string? usersFile, Action<Pop3ServerBuilder>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = _directory.Path });
        if (usersFile is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [Pop3UsersFileOptions.UsersFileKey] = usersFile });
        }

        var pop3 = new Pop3ServerBuilder(builder.Services);
        pop3.AddUsersFile();
        configure?.Invoke(pop3);
        return builder.Build();
    }

    [Fact]
    public async Task Missing_users_file_stops_start_up_with_a_message_naming_the_setting()
    {
        using var host = BuildHost("nowhere/users");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Pop3:Authentication:UsersFile", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_directory.Path, "nowhere", "users"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_users_file_is_data_users_under_the_content_root()
    {
        using var host = BuildHost(usersFile: null);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(Path.Combine(_directory.Path, "data", "users"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_file_becomes_the_authenticator_and_relative_paths_start_at_the_content_root()
    {
        Directory.CreateDirectory(_directory.File("etc"));
        await File.WriteAllTextAsync(_directory.File("etc/users"), "alice:{PLAIN}pw\n");
        using var host = BuildHost("etc/users");

        await host.StartAsync();
        try
        {
            var authenticator = host.Services.GetRequiredService<IPop3Authenticator>();
            Assert.IsType<UsersFileAuthenticator>(authenticator);
            Assert.Equal(_directory.File("etc/users"), ((UsersFileAuthenticator)authenticator).FilePath);
            var result = await authenticator.AuthenticateAsync("alice", "pw", new Pop3ConnectionInfo("c", null, null), CancellationToken.None);
            Assert.Equal(Pop3AuthenticationResult.Success("alice"), result);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Delegate_authenticator_replaces_an_earlier_one()
    {
        var services = new ServiceCollection();
        new Pop3ServerBuilder(services)
            .AddAuthenticator<RejectAll>()
            .AddAuthenticator((user, password, connection, cancellationToken) =>
                ValueTask.FromResult(password == "open" ? Pop3AuthenticationResult.Success(user) : Pop3AuthenticationResult.Failure));
        using var provider = services.BuildServiceProvider();

        var authenticator = Assert.Single(provider.GetServices<IPop3Authenticator>());
        Assert.Equal(
            Pop3AuthenticationResult.Success("bob"),
            await authenticator.AuthenticateAsync("bob", "open", new Pop3ConnectionInfo("c", null, null), CancellationToken.None));
    }

    [Fact]
    public void Typed_authenticator_replaces_the_users_file()
    {
        var services = new ServiceCollection();
        new Pop3ServerBuilder(services).AddUsersFile().AddAuthenticator<RejectAll>();
        using var provider = services.BuildServiceProvider();

        Assert.IsType<RejectAll>(Assert.Single(provider.GetServices<IPop3Authenticator>()));
    }

    [Fact]
    public async Task An_authenticator_that_answers_a_default_result_lets_no_one_in()
    {
        await using var session = new Sessions.SessionHarness(
            fill: store => store.Add("alice", "Subject: one\r\n\r\nbody\r\n"u8.ToArray()),
            configure: b => b.AddAuthenticator((user, password, connection, cancellationToken) => ValueTask.FromResult(default(Pop3AuthenticationResult))));

        Assert.StartsWith("+OK", await session.ReadLineAsync());
        Assert.StartsWith("+OK", await session.CommandAsync("USER alice"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await session.CommandAsync("PASS anything"));
        Assert.StartsWith("-ERR Not allowed before login", await session.CommandAsync("STAT"));
    }

    private sealed class RejectAll : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Pop3AuthenticationResult.Failure);
    }
}
