using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Hosting;
using Pop3.Server.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Formatting.Display;

namespace Pop3.Server.Tests.Operations;

/// <summary>The admin API's bans over HTTP, and the guess metrics, on the real server.</summary>
public sealed class BanAdminTests
{
    private const string Banned = "-ERR [SYS/TEMP] Too many failed logins from your address, try again later";

    [Fact]
    public async Task An_operator_lists_the_bans_and_lifts_one_over_http()
    {
        var store = new InMemoryMailStore();
        await using var server = new Pop3ServerFactory()
            .With("Pop3:Authentication:BanAfterFailures", "3")
            .With("Pop3:Authentication:MaxAttempts", "10")
            .WithInMemoryMail(store);
        _ = server.Pop3EndPoint;
        using var metrics = new MeasurementsOf(server);
        using var http = server.CreateAdminClient();
        Assert.Equal("[]", await http.GetStringAsync("/bans"));

        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            for (var i = 0; i < 3; i++)
            {
                await client.CommandAsync("USER mallory");
                Assert.Equal("-ERR [AUTH] Authentication failed", await client.CommandAsync("PASS guess" + i));
            }

            await client.CommandAsync("USER alice");
            Assert.Equal(Banned, await client.CommandAsync("PASS secret"));
        }

        using (var bans = JsonDocument.Parse(await http.GetStringAsync("/bans")))
        {
            var ban = Assert.Single(bans.RootElement.EnumerateArray());
            Assert.Equal("127.0.0.1", ban.GetProperty("address").GetString());
            Assert.Equal(3, ban.GetProperty("failures").GetInt32());
            Assert.Equal(900, ban.GetProperty("seconds").GetInt64());
        }

        // No one has logged in from 127.0.0.1, so a new connection is refused before the greeting.
        await using (var refused = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            Assert.Equal(Banned, await refused.ReadLineAsync());
        }

        var lift = await http.DeleteAsync("/bans/127.0.0.1");
        Assert.Equal(HttpStatusCode.OK, lift.StatusCode);
        Assert.Equal("{\"lifted\":1}", await lift.Content.ReadAsStringAsync());
        Assert.Equal("[]", await http.GetStringAsync("/bans"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/bans/127.0.0.1")).StatusCode);

        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            await client.CommandAsync("USER alice");
            Assert.StartsWith("+OK Logged in", await client.CommandAsync("PASS secret"));
        }

        Assert.Equal(4, metrics.Sum("pop3.guesses.evaluated"));
        Assert.Equal(3, metrics.Sum("pop3.guesses.failed"));
        Assert.Equal(1, metrics.Sum("pop3.guesses.refused", ("pop3.reason", "address-banned")));
    }

    [Fact]
    public async Task The_fail2ban_filter_matches_the_console_lines_the_server_writes()
    {
        var logs = new LogCapture();
        await using var server = new Pop3ServerFactory()
            .With("Pop3:Authentication:BanAfterFailures", "2")
            .With("Serilog:Console:Format", "none")
            .WithServices(s => s.AddSingleton<ILogEventSink>(logs))
            .WithInMemoryMail(new());
        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            for (var i = 0; i < 3; i++)
            {
                await client.CommandAsync("USER mallory");
                await client.CommandAsync("PASS guess" + i);
            }
        }

        await logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Login guess refused", StringComparison.Ordinal));

        // Rendered exactly as the console sink renders them (Serilog:Console:Format = text).
        var formatter = new MessageTemplateTextFormatter(ServerOperations.TextTemplate);
        var lines = logs.Events
            .Where(e => e.MessageTemplate.Text.StartsWith("Login guess", StringComparison.Ordinal) || e.MessageTemplate.Text.StartsWith("Address banned", StringComparison.Ordinal))
            .Select(e =>
            {
                using var text = new StringWriter();
                formatter.Format(e, text);
                return text.ToString();
            })
            .ToArray();
        Assert.Equal(4, lines.Length);

        var patterns = FailRegexes();
        foreach (var line in lines)
        {
            var match = patterns.Select(p => p.Match(line)).FirstOrDefault(m => m.Success);
            Assert.True(match is not null, "no failregex matches: " + line);
            Assert.Equal("127.0.0.1", match.Groups["host"].Value);
        }
    }

    /// <summary>The failregex lines of docs/fail2ban/pop3-kestrel.conf, with fail2ban's &lt;HOST&gt; as a named group.</summary>
    private static Regex[] FailRegexes()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "docs", "fail2ban", "pop3-kestrel.conf")))
        {
            directory = directory.Parent;
        }

        var filter = File.ReadAllLines(Path.Combine(directory!.FullName, "docs", "fail2ban", "pop3-kestrel.conf"));
        return filter.SkipWhile(l => !l.StartsWith("failregex", StringComparison.Ordinal))
            .TakeWhile(l => l.StartsWith("failregex", StringComparison.Ordinal) || l.StartsWith(' '))
            .Select(l => (l.StartsWith("failregex", StringComparison.Ordinal) ? l[(l.IndexOf('=') + 1)..] : l).Trim())
            .Where(l => l.Length > 0)
            .Select(l => new Regex(l.Replace("<HOST>", @"(?<host>[0-9a-fA-F:.]+)", StringComparison.Ordinal)))
            .ToArray();
    }

    [Fact]
    public async Task An_operator_lifts_a_users_lockout_over_http()
    {
        await using var server = new Pop3ServerFactory()
            .With("Pop3:Authentication:LockoutAfterFailures", "2")
            .With("Pop3:Authentication:MaxAttempts", "10")
            .WithInMemoryMail(new());
        using var http = server.CreateAdminClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/users/alice/lockout")).StatusCode);

        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.ReadLineAsync();
        for (var i = 0; i < 2; i++)
        {
            await client.CommandAsync("USER alice");
            Assert.Equal("-ERR [AUTH] Authentication failed", await client.CommandAsync("PASS guess" + i));
        }

        await client.CommandAsync("USER alice");
        Assert.Equal("-ERR [SYS/TEMP] Too many failed logins for this user, try again later", await client.CommandAsync("PASS secret"));

        var unlock = await http.DeleteAsync("/users/Alice/lockout");
        Assert.Equal("{\"unlocked\":1}", await unlock.Content.ReadAsStringAsync());
        await client.CommandAsync("USER alice");
        Assert.StartsWith("+OK Logged in", await client.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task Bans_need_the_admin_token_when_one_is_set()
    {
        await using var server = new Pop3ServerFactory()
            .With("Pop3:Admin:Token", "0123456789abcdef0123456789abcdef")
            .WithInMemoryMail(new());
        using var http = server.CreateAdminClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/bans")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.DeleteAsync("/bans/127.0.0.1")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new("Bearer", "0123456789abcdef0123456789abcdef");
        Assert.Equal("[]", await http.GetStringAsync("/bans"));
    }
}
