using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

public sealed class AdminTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Health_and_readiness_answer_on_the_admin_listener()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new());
        using var http = server.CreateAdminClient();

        var health = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Metrics_count_sessions_commands_logins_and_bytes()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        _ = server.Pop3EndPoint;
        using var metrics = new MeasurementsOf(server);
        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            await client.CommandAsync("USER alice");
            await client.CommandAsync("PASS wrong");
            await client.CommandAsync("USER alice");
            await client.CommandAsync("PASS secret");
            await client.CommandAsync("RETR 1");
            await client.ReadMultiLineBodyAsync();
            await client.CommandAsync("QUIT");
            await client.ReadToEndAsync();
        }

        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            Assert.StartsWith("+", await client.CommandAsync("AUTH PLAIN"));
            Assert.StartsWith("+OK", await client.CommandAsync(Convert.ToBase64String("\0bob\0hunter 2"u8)));
            await client.CommandAsync("QUIT");
            await client.ReadToEndAsync();
        }

        await metrics.WaitForCountAsync("pop3.sessions", 2);
        Assert.Equal(2, metrics.Sum("pop3.sessions", ("pop3.session.end", "quit")));
        Assert.Equal(1, metrics.Sum("pop3.logins", ("pop3.mechanism", "PLAIN"), ("pop3.result", "succeeded")));
        Assert.Equal(1, metrics.Sum("pop3.commands", ("pop3.command", "AUTH"), ("pop3.result", "ok")));
        Assert.Equal(0, metrics.Sum("pop3.sessions.active"));
        Assert.Equal(1, metrics.Sum("pop3.commands", ("pop3.command", "RETR"), ("pop3.result", "ok")));
        Assert.Equal(2, metrics.Sum("pop3.commands", ("pop3.command", "USER"), ("pop3.result", "ok")));
        Assert.Equal(1, metrics.Sum("pop3.commands", ("pop3.command", "PASS"), ("pop3.result", "failed")));
        Assert.Equal(1, metrics.Sum("pop3.logins", ("pop3.mechanism", "USER"), ("pop3.result", "succeeded")));
        Assert.Equal(1, metrics.Sum("pop3.logins", ("pop3.mechanism", "USER"), ("pop3.result", "failed")));
        Assert.Equal(21, metrics.Sum("pop3.message.bytes_sent"));
        Assert.Equal(1, metrics.Count("pop3.retr.duration"));
        Assert.Equal(3, metrics.Count("pop3.login.duration"));
    }

    [Fact]
    public async Task Metrics_are_served_in_prometheus_format_with_kestrels()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.LoginAsync();
            await client.CommandAsync("RETR 1");
            await client.ReadMultiLineBodyAsync();
            await client.CommandAsync("QUIT");
            await client.ReadToEndAsync();
        }

        using var http = server.CreateAdminClient();
        var text = await WaitForMetricAsync(http, "pop3_sessions_total{");
        foreach (var series in new[]
        {
            "pop3_commands_total{", "pop3_logins_total{", "pop3_message_bytes_sent_bytes_total{", "pop3_retr_duration_seconds_bucket{",
            "pop3_login_duration_seconds_bucket{", "pop3_sessions_active{", "kestrel_active_connections{",
        })
        {
            Assert.Contains(series, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Sessions_lists_who_is_connected_and_kicking_one_deletes_nothing()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 1"));
        using var http = server.CreateAdminClient();

        var sessions = await http.GetFromJsonAsync<JsonElement>("/sessions");
        var session = Assert.Single(sessions.EnumerateArray());
        Assert.Equal("alice", session.GetProperty("user").GetString());
        Assert.Equal("127.0.0.1", session.GetProperty("ip").GetString());
        Assert.Equal("TRANSACTION", session.GetProperty("state").GetString());
        var id = session.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/sessions/no-such-id")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync($"/sessions/{id}")).StatusCode);
        Assert.Equal("-ERR [SYS/TEMP] Server shutting down\r\n", await client.ReadToEndAsync());
        Assert.Single(store.Ids("alice"));
    }

    [Fact]
    public async Task Kicking_a_user_ends_all_their_sessions_and_logs_kicked()
    {
        var logs = new LogCapture();
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store)
            .WithServices(s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<Serilog.Core.ILogEventSink>(s, logs));
        await using var alice = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await alice.LoginAsync();
        await using var bob = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await bob.LoginAsync("bob", "hunter 2");
        using var http = server.CreateAdminClient();

        var reply = await http.DeleteFromJsonAsync<JsonElement>("/users/alice/sessions");
        Assert.Equal(1, reply.GetProperty("kicked").GetInt32());
        Assert.StartsWith("-ERR [SYS/TEMP]", await alice.ReadToEndAsync(), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await bob.CommandAsync("NOOP"));
        var ended = await logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Disconnected", StringComparison.Ordinal));
        Assert.Equal("Kicked", ended.Properties["End"].ToString());
    }

    [Fact]
    public async Task With_a_token_the_session_endpoints_need_it_and_metrics_do_not()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new()).With("Pop3:Admin:Token", Token);
        using var http = server.CreateAdminClient();

        var anonymous = await http.GetAsync("/sessions");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-token-wrong-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.DeleteAsync("/users/alice/sessions")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/sessions")).StatusCode);

        http.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_pop3_listener_does_not_speak_http()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new());
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        Assert.StartsWith("-ERR", await client.CommandAsync("GET /metrics HTTP/1.1"));
    }

    [Fact]
    public async Task Without_an_admin_port_there_is_no_admin_listener()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new()).With("Pop3:Admin:Port", "");
        _ = server.Pop3EndPoint;
        Assert.Throws<InvalidOperationException>(() => server.CreateAdminClient());
    }

    [Fact]
    public async Task Admin_port_clashing_with_a_pop3_listener_stops_start_up_naming_both_keys()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new())
            .With("Pop3:Endpoints:Default:Port", "40110").With("Pop3:Admin:Port", "40110");
        var error = Assert.ThrowsAny<Exception>(() => server.Pop3EndPoint);
        Assert.Contains("Pop3:Admin:Port 40110 clashes with Pop3:Endpoints:Default:Port", error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The exporter reads the instruments on each scrape; the session's last counters land just after its socket closes.</summary>
    private static async Task<string> WaitForMetricAsync(HttpClient http, string series)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var text = await http.GetStringAsync("/metrics", timeout.Token);
            if (text.Contains(series, StringComparison.Ordinal))
            {
                return text;
            }

            await Task.Yield();
        }
    }
}

public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_fails_while_the_maildir_root_is_missing_and_passes_once_it_exists()
    {
        var root = Path.Combine(Path.GetTempPath(), "pop3-ready-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var users = Path.Combine(root, "users");
            await File.WriteAllTextAsync(users, "alice:{PLAIN}secret\n");
            await using var server = new Pop3ServerFactory()
                .With("Pop3:Authentication:UsersFile", users)
                .With("Pop3:Maildir:Path", Path.Combine(root, "mail", "{user}", "Maildir"));
            using var http = server.CreateAdminClient();

            var missing = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, missing.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);

            Directory.CreateDirectory(Path.Combine(root, "mail"));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
