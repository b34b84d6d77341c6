using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Sessions;

/// <summary>
/// Pop3:AuthorizationTimeout: how long a connection may stay unauthenticated, counted from its start and
/// never pushed back by traffic (slow loris). After login only Pop3:CommandTimeout (RFC 1939: at least 10 minutes) applies.
/// </summary>
public sealed class AuthorizationTimeoutTests
{
    private const string Autologout = "-ERR Autologout; idle for too long\r\n";

    private static void Fill(InMemoryMailStore store) => store.Add("alice", Encoding.ASCII.GetBytes("Subject: x\r\n\r\nbody\r\n"));

    [Fact]
    public async Task A_client_trickling_one_byte_at_a_time_before_login_is_closed_at_the_deadline()
    {
        await using var s = new SessionHarness(Fill);
        Assert.StartsWith("+OK", await s.ReadLineAsync());

        // "USER alice" one byte every second: each byte is traffic, none of it moves the deadline.
        foreach (var b in "USER alice"u8.ToArray()[..9])
        {
            await s.SendAsync([b]);
            s.Time.Advance(TimeSpan.FromSeconds(1));
        }

        s.Time.Advance(TimeSpan.FromSeconds(51));
        Assert.Equal(Autologout, await s.ReadToEndAsync());
        Assert.Equal(Pop3SessionEnd.Timeout, (await s.Run).End);
    }

    [Fact]
    public async Task Complete_commands_before_login_do_not_push_the_deadline_back_either()
    {
        await using var s = new SessionHarness(Fill);
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("+OK", await s.CommandAsync("CAPA"));
            await s.ReadMultiLineAsync();
            s.Time.Advance(TimeSpan.FromSeconds(19));
        }

        Assert.StartsWith("+OK", await s.CommandAsync("USER alice"));
        s.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(Autologout, await s.ReadToEndAsync());
    }

    [Fact]
    public async Task After_login_the_rfc_ten_minute_timeout_applies_instead()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();

        // Each step stays within 10 minutes of the read before it, so no timer armed for a read is due yet,
        // whether or not the session has re-armed it when the clock moves.
        s.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("+OK", await s.CommandAsync("NOOP"));
        s.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.StartsWith("+OK 1 ", await s.CommandAsync("STAT"));
        s.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(Autologout, await s.ReadToEndAsync());
    }

    [Fact]
    public async Task The_deadline_is_configurable_and_a_shorter_command_timeout_still_applies_before_login()
    {
        await using (var s = new SessionHarness(Fill, new() { ["Pop3:AuthorizationTimeout"] = "00:00:05" }))
        {
            Assert.StartsWith("+OK", await s.ReadLineAsync());
            s.Time.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(Autologout, await s.ReadToEndAsync());
        }

        await using (var s = new SessionHarness(Fill, new() { ["Pop3:CommandTimeout"] = "00:00:10" }))
        {
            Assert.StartsWith("+OK", await s.ReadLineAsync());
            s.Time.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal(Autologout, await s.ReadToEndAsync());
        }
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    public void A_non_positive_authorization_timeout_stops_start_up(string value)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Pop3:AuthorizationTimeout"] = value }).Build());
        services.AddPop3Server();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Pop3ServerOptions>>().Value);
        Assert.Contains("Pop3:AuthorizationTimeout", error.Message);
    }

    [Fact]
    public void The_default_is_sixty_seconds_and_the_command_timeout_ten_minutes()
    {
        var options = new Pop3ServerOptions();
        Assert.Equal(TimeSpan.FromSeconds(60), options.AuthorizationTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), options.CommandTimeout);
    }
}
