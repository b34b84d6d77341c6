using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Authentication;

/// <summary>When the shared guess counters or login history cannot answer, nothing is checked: the client is told to come back.</summary>
public sealed class GuessCountersTroubleTests
{
    private const string Unavailable = "-ERR [SYS/TEMP] Authentication is temporarily unavailable, try again later";

    [Fact]
    public async Task A_guess_is_refused_unchecked_while_the_counters_cannot_answer()
    {
        var users = new CountingUsers();
        await using var server = Server(services =>
        {
            services.RemoveAll<IPop3GuessCounters>();
            services.AddSingleton<IPop3GuessCounters, UnreachableCounters>();
            services.AddSingleton<IPop3Authenticator>(users);
        });

        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.ReadLineAsync();
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER alice"));
        Assert.Equal(Unavailable, await client.CommandAsync("PASS secret"));
        Assert.Equal("+OK Send your password", await client.CommandAsync("USER alice"));
        Assert.Equal(Unavailable, await client.CommandAsync("PASS secret"));
        Assert.Equal(0, users.Checked);
    }

    [Fact]
    public async Task A_login_waits_for_a_login_history_that_cannot_answer_when_login_delay_is_on()
    {
        await using var server = Server(services =>
        {
            services.RemoveAll<IPop3LoginHistory>();
            services.AddSingleton<IPop3LoginHistory, UnreachableHistory>();
            services.AddSingleton<IPop3Authenticator, TestUsers>();
        }).With("Pop3:LoginDelay", "60");

        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.ReadLineAsync();
        await client.CommandAsync("USER alice");
        Assert.Equal(Unavailable, await client.CommandAsync("PASS secret"));
    }

    private static Pop3ServerFactory Server(Action<IServiceCollection> configure)
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        return new Pop3ServerFactory().WithInMemoryMail(store).WithServices(configure);
    }

    private sealed class CountingUsers : IPop3Authenticator
    {
        private int _checked;

        public int Checked => _checked;

        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3.Kestrel.Pop3ConnectionInfo connection, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _checked);
            return ValueTask.FromResult(Pop3AuthenticationResult.Success(user));
        }
    }

    private sealed class UnreachableCounters : IPop3GuessCounters
    {
        public ValueTask<Pop3GuessStart> TryBeginAsync(string address, string? user, bool familiar, CancellationToken cancellationToken) =>
            throw new TimeoutException("the store did not answer");

        public ValueTask<Pop3GuessFailure> FailAsync(Pop3GuessTicket? ticket, string address, string? user, CancellationToken cancellationToken) =>
            throw new TimeoutException("the store did not answer");

        public ValueTask EndAsync(Pop3GuessTicket ticket, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<bool> UnlockAsync(string user, CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public ValueTask ForgetAddressAsync(string address, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class UnreachableHistory : IPop3LoginHistory
    {
        public ValueTask<DateTimeOffset?> GetLastLoginAsync(string user, CancellationToken cancellationToken) =>
            throw new TimeoutException("the store did not answer");

        public ValueTask RecordLoginAsync(string user, DateTimeOffset time, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
