using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Tests.Sessions;
using static Pop3.Kestrel.Tests.Authentication.AuthUsers;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed class BruteForceAndLimitsTests : IDisposable
{
    private const string LoggedIn = "+OK Logged in, 0 messages (0 octets)";
    private const string Failed = "-ERR [AUTH] Authentication failed";
    private const string TooManyAttempts = "-ERR [AUTH] Authentication failed; too many attempts, closing connection\r\n";
    private readonly AuthUsers _users = new();

    public void Dispose() => _users.Dispose();

    /// <summary>Sends <paramref name="line"/> and checks that its reply comes exactly <paramref name="delay"/> later on the fake clock.</summary>
    private static async Task<string> ReplyAfterAsync(SessionHarness s, string line, TimeSpan delay)
    {
        var timers = s.Time.TimersCreated;
        await s.SendAsync(line + "\r\n");
        var reply = s.ReadLineAsync();
        await s.Time.WaitForTimersAsync(timers + 1);
        s.Time.Advance(delay - TimeSpan.FromMilliseconds(1));
        Assert.False(reply.IsCompleted, "the reply came before the delay was over");
        s.Time.Advance(TimeSpan.FromMilliseconds(1));
        return await reply;
    }

    [Fact]
    public async Task A_failed_login_waits_two_seconds_doubling_to_fifteen_per_address()
    {
        await using var s = _users.Harness(new()
        {
            ["Pop3:Authentication:FailureDelay"] = "00:00:02",
            ["Pop3:Authentication:MaxAttempts"] = "10",
        });
        await s.ReadLineAsync();
        foreach (var seconds in new[] { 2, 4, 8, 15, 15 })
        {
            Assert.Equal("+OK Send your password", await s.CommandAsync("USER alice"));
            Assert.Equal(Failed, await ReplyAfterAsync(s, "PASS wrong", TimeSpan.FromSeconds(seconds)));
        }
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_reply_after_the_same_delay()
    {
        var settings = new Dictionary<string, string?> { ["Pop3:Authentication:FailureDelay"] = "00:00:02" };
        await using var known = _users.Harness(settings, connection: Remote("198.51.100.1", secure: true));
        await using var unknown = _users.Harness(settings, connection: Remote("198.51.100.2", secure: true));
        await known.ReadLineAsync();
        await unknown.ReadLineAsync();
        Assert.Equal("+OK Send your password", await known.CommandAsync("USER alice"));
        Assert.Equal("+OK Send your password", await unknown.CommandAsync("USER nobody"));
        Assert.Equal(Failed, await ReplyAfterAsync(known, "PASS wrong", TimeSpan.FromSeconds(2)));
        Assert.Equal(Failed, await ReplyAfterAsync(unknown, "PASS wrong", TimeSpan.FromSeconds(2)));
        Assert.Equal(Failed, await ReplyAfterAsync(known, "AUTH PLAIN " + B64("\0alice\0wrong"), TimeSpan.FromSeconds(4)));
        Assert.Equal(Failed, await ReplyAfterAsync(unknown, "AUTH PLAIN " + B64("\0nobody\0wrong"), TimeSpan.FromSeconds(4)));
    }

    [Fact]
    public async Task The_delay_is_shared_by_connections_from_one_address_and_a_success_does_not_clear_it()
    {
        // A success from an address shared with a guesser (a NAT) must not give the guesser a fresh start.
        var settings = new Dictionary<string, string?> { ["Pop3:Authentication:FailureDelay"] = "00:00:02" };
        await using var first = _users.Harness(settings, connection: Remote(secure: true));
        await first.ReadLineAsync();
        Assert.Equal(Failed, await ReplyAfterAsync(first, "AUTH PLAIN " + B64("\0alice\0wrong"), TimeSpan.FromSeconds(2)));

        await using var second = new SessionHarness(connection: Remote(secure: true), shared: first.Services);
        await second.ReadLineAsync();
        Assert.Equal(Failed, await ReplyAfterAsync(second, "AUTH PLAIN " + B64("\0alice\0wrong"), TimeSpan.FromSeconds(4)));
        Assert.Equal(LoggedIn, await second.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));

        Assert.Equal(Failed, await ReplyAfterAsync(first, "AUTH PLAIN " + B64("\0tim\0wrong"), TimeSpan.FromSeconds(8)));
    }

    [Fact]
    public async Task The_third_failed_attempt_says_so_and_closes()
    {
        await using var s = _users.Harness();
        await s.ReadLineAsync();
        await s.CommandAsync("USER alice");
        Assert.Equal(Failed, await s.CommandAsync("PASS wrong"));
        Assert.Equal("-ERR APOP is not available", await s.CommandAsync("APOP alice " + new string('0', 32)));
        Assert.Equal(Failed, await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0wrong")));
        await s.SendAsync("AUTH LOGIN\r\n*\r\nNOOP\r\n");
        Assert.Equal("+ VXNlcm5hbWU6\r\n" + TooManyAttempts, await s.ReadToEndAsync());
    }

    [Fact]
    public async Task Cancelled_and_malformed_exchanges_count_as_attempts()
    {
        await using var s = _users.Harness(new() { ["Pop3:Authentication:MaxAttempts"] = "2" });
        await s.ReadLineAsync();
        Assert.Equal("+ ", await s.CommandAsync("AUTH PLAIN"));
        Assert.Equal("-ERR Authentication cancelled", await s.CommandAsync("*"));
        await s.SendAsync("AUTH PLAIN =\r\n");
        Assert.Equal(TooManyAttempts, await s.ReadToEndAsync());
    }

    [Fact]
    public async Task Failures_ban_the_address_until_the_ban_expires()
    {
        await using var s = _users.Harness(new()
        {
            ["Pop3:Authentication:BanAfterFailures"] = "3",
            ["Pop3:Authentication:BanDuration"] = "00:10:00",
            ["Pop3:Authentication:MaxAttempts"] = "5",
        });
        var gate = s.Services.GetRequiredService<Pop3ConnectionGate>();
        var elsewhere = Remote("198.51.100.9");
        await s.ReadLineAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Failed, await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0wrong")));
        }

        using (var refused = gate.TryAdmit(new Pop3ConnectionInfo("again", s.Connection.RemoteEndPoint, s.Connection.LocalEndPoint)))
        {
            Assert.False(refused.IsAdmitted);
            Assert.Equal(Pop3ConnectionRefusal.Banned, refused.RefusalReason);
            Assert.Equal("-ERR [SYS/TEMP] Too many failed logins from your address, try again later\r\n"u8.ToArray(), refused.Refusal.ToArray());
        }

        using (var other = gate.TryAdmit(elsewhere))
        {
            Assert.True(other.IsAdmitted);
        }

        // From the banned address the right password is refused unchecked, since alice never logged in from there;
        // only time lifts the ban.
        Assert.Equal("-ERR [SYS/TEMP] Too many failed logins from your address, try again later", await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        s.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        using (var stillRefused = gate.TryAdmit(new Pop3ConnectionInfo("again", s.Connection.RemoteEndPoint, s.Connection.LocalEndPoint)))
        {
            Assert.False(stillRefused.IsAdmitted);
        }

        s.Time.Advance(TimeSpan.FromSeconds(1));
        using var admitted = gate.TryAdmit(new Pop3ConnectionInfo("later", s.Connection.RemoteEndPoint, s.Connection.LocalEndPoint));
        Assert.True(admitted.IsAdmitted);
        await using var later = new SessionHarness(connection: s.Connection, shared: s.Services);
        await later.ReadLineAsync();
        Assert.Equal(LoggedIn, await later.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
    }

    [Fact]
    public void Failures_far_apart_do_not_add_up_to_a_ban()
    {
        var time = new CountingTimeProvider();
        var throttle = new Pop3LoginThrottle(Options.Create(new Pop3AuthenticationOptions { BanAfterFailures = 2, BanDuration = TimeSpan.FromMinutes(1) }), time);
        const string Address = "192.0.2.44";
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.Fail(null, Address, null).Delay);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(TimeSpan.FromSeconds(2), throttle.Fail(null, Address, null).Delay);
        Assert.False(throttle.RefusesAtConnect(IPAddress.Parse(Address)));
        var second = throttle.Fail(null, Address, null);
        Assert.Equal(TimeSpan.FromSeconds(4), second.Delay);
        Assert.Equal(new Pop3AddressBan(Address, time.GetUtcNow(), time.GetUtcNow().AddMinutes(1), 2), second.Ban);
        Assert.True(throttle.RefusesAtConnect(IPAddress.Parse("::ffff:192.0.2.44")));
    }

    [Fact]
    public async Task Sessions_per_user_and_address_are_limited_at_login()
    {
        var settings = new Dictionary<string, string?> { ["Pop3:Limits:MaxConnectionsPerUserIp"] = "1" };
        Pop3ConnectionLease? lease1 = null, lease2 = null, lease3 = null;
        var c1 = Remote(secure: true);
        await using var first = _users.Harness(settings, connection: c1, beforeStart: p => lease1 = p.GetRequiredService<Pop3ConnectionGate>().TryAdmit(c1));
        await first.ReadLineAsync();
        Assert.Equal(LoggedIn, await first.CommandAsync("AUTH PLAIN " + B64("\0tim\0tanstaaftanstaaf")));

        var c2 = Remote(secure: true);
        await using (var second = new SessionHarness(connection: c2, shared: first.Services, beforeStart: p => lease2 = p.GetRequiredService<Pop3ConnectionGate>().TryAdmit(c2)))
        {
            await second.ReadLineAsync();
            Assert.Equal("-ERR [IN-USE] Too many sessions of this user from your address", await second.CommandAsync("AUTH PLAIN " + B64("\0tim\0tanstaaftanstaaf")));
            Assert.Equal(LoggedIn, await second.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        }

        lease2!.Dispose();
        Assert.Equal("+OK Logging out", await first.CommandAsync("QUIT"));
        await first.Run;
        lease1!.Dispose();

        var c3 = Remote(secure: true);
        await using var third = new SessionHarness(connection: c3, shared: first.Services, beforeStart: p => lease3 = p.GetRequiredService<Pop3ConnectionGate>().TryAdmit(c3));
        await third.ReadLineAsync();
        Assert.Equal(LoggedIn, await third.CommandAsync("AUTH PLAIN " + B64("\0tim\0tanstaaftanstaaf")));
        lease3!.Dispose();
    }

    [Fact]
    public async Task Login_delay_refuses_a_login_too_soon_after_the_last_on_every_path()
    {
        var settings = new Dictionary<string, string?> { ["Pop3:LoginDelay"] = "60", ["Pop3:Authentication:Apop"] = "true" };
        await using var first = _users.Harness(settings);
        await first.ReadLineAsync();
        await first.CommandAsync("USER alice");
        Assert.Equal(LoggedIn, await first.CommandAsync("PASS secret"));
        Assert.Equal("+OK Logging out", await first.CommandAsync("QUIT"));
        await first.Run;
        first.Time.Advance(TimeSpan.FromSeconds(59));

        const string Delay = "-ERR [LOGIN-DELAY] Logged in too recently, try again later";
        await using var second = new SessionHarness(shared: first.Services);
        var greeting = await second.ReadLineAsync();
        var timestamp = greeting[greeting.IndexOf('<')..];
        await second.CommandAsync("USER alice");
        Assert.Equal(Delay, await second.CommandAsync("PASS secret"));
        Assert.Equal(Delay, await second.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.ASCII.GetBytes(timestamp + "secret")));
        Assert.Equal(Delay, await second.CommandAsync("APOP alice " + digest));

        // Another user is not held back, and a refused login did not restart alice's clock.
        Assert.Equal(LoggedIn, await second.CommandAsync("AUTH PLAIN " + B64("\0tim\0tanstaaftanstaaf")));
        second.Time.Advance(TimeSpan.FromSeconds(1));
        await using var third = new SessionHarness(shared: first.Services);
        await third.ReadLineAsync();
        Assert.Equal(LoggedIn, await third.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
    }

    [Fact]
    public async Task Login_delay_of_a_user_policy_is_enforced_for_that_user()
    {
        await using var first = _users.Harness(configure: b => b.AddUserPolicy<SlowAlice>());
        await first.ReadLineAsync();
        Assert.Equal(LoggedIn, await first.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        await first.CommandAsync("QUIT");
        await first.Run;
        await using var second = new SessionHarness(shared: first.Services);
        await second.ReadLineAsync();
        Assert.Equal("-ERR [LOGIN-DELAY] Logged in too recently, try again later", await second.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        Assert.Equal(LoggedIn, await second.CommandAsync("AUTH PLAIN " + B64("\0tim\0tanstaaftanstaaf")));
    }

    [Fact]
    public async Task A_shared_login_history_replaces_the_in_memory_one()
    {
        await using var s = _users.Harness(new() { ["Pop3:LoginDelay"] = "60" }, configure: b => b.AddLoginHistory<EveryoneJustLoggedIn>());
        await s.ReadLineAsync();
        Assert.Equal("-ERR [LOGIN-DELAY] Logged in too recently, try again later", await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret")));
    }

    /// <summary>Another node says every user logged in a moment ago.</summary>
    private sealed class EveryoneJustLoggedIn(TimeProvider time) : IPop3LoginHistory
    {
        public ValueTask<DateTimeOffset?> GetLastLoginAsync(string user, CancellationToken cancellationToken) =>
            ValueTask.FromResult<DateTimeOffset?>(time.GetUtcNow().AddSeconds(-1));

        public ValueTask RecordLoginAsync(string user, DateTimeOffset when, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    private sealed class SlowAlice : Pop3.Kestrel.Sessions.IPop3UserPolicy
    {
        public ValueTask<Pop3.Kestrel.Sessions.Pop3UserSettings> GetSettingsAsync(string user, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Pop3.Kestrel.Sessions.Pop3UserSettings(user == "alice" ? 900 : null, null));
    }
}
