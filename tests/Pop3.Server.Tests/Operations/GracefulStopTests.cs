using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

/// <summary>A real host stop (what SIGTERM does) with sessions in each state.</summary>
public sealed class GracefulStopTests
{
    private const string ShuttingDown = "-ERR [SYS/TEMP] Server shutting down\r\n";

    [Fact]
    public async Task An_idle_session_is_told_and_closed_without_update()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: keep me\r\n\r\nbody\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 1"));
        await using var waiting = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        Assert.StartsWith("+OK", await waiting.ReadLineAsync());

        var stop = Host(server).StopAsync();

        Assert.Equal(ShuttingDown, await client.ReadToEndAsync());
        Assert.Equal(ShuttingDown, await waiting.ReadToEndAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(store.Ids("alice"));
    }

    [Fact]
    public async Task A_retr_in_progress_is_sent_whole_before_the_session_closes()
    {
        var message = LargeMessage(16 * 1024 * 1024);
        var store = new InMemoryMailStore();
        store.Add("alice", message);
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 1"));
        Assert.StartsWith("+OK", await client.CommandAsync("RSET"));

        // The client reads the status line and then nothing: the server is stuck mid-message on backpressure.
        Assert.StartsWith("+OK", await client.CommandAsync("RETR 1"));
        var stop = Host(server).StopAsync();
        Assert.False(stop.IsCompleted);

        var body = await client.ReadMultiLineBodyAsync();
        Assert.Equal(message, RawPop3Client.Unstuff(body));
        Assert.Equal(ShuttingDown, await client.ReadToEndAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(store.Ids("alice"));
    }

    [Fact]
    public async Task A_quit_already_committing_completes_its_deletions()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: delete me\r\n\r\nbody\r\n"u8.ToArray());
        store.Add("alice", "Subject: keep me\r\n\r\nbody\r\n"u8.ToArray());
        var gate = new CommitGate();
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store).WithServices(services =>
        {
            services.AddSingleton(gate);
            new Pop3ServerBuilder(services).AddMaildrop<GatedMaildrop>();
        });
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 1"));
        await client.SendAsync("QUIT\r\n");
        await gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stop = Host(server).StopAsync();
        gate.Release.SetResult();

        Assert.StartsWith("+OK", await client.ReadLineAsync());
        Assert.Equal("", await client.ReadToEndAsync());
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
        var left = Assert.Single(store.Ids("alice"));
        Assert.Contains("keep me", System.Text.Encoding.ASCII.GetString(store.Get("alice", left)!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_drain_timeout_a_stuck_session_is_aborted_without_update()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", LargeMessage(16 * 1024 * 1024));
        store.Add("alice", "Subject: marked\r\n\r\nbody\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store).With("Pop3:DrainTimeout", "00:00:01");
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 2"));
        Assert.StartsWith("+OK", await client.CommandAsync("RSET"));
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 2"));

        // The message retrieved is not the one marked: a RETR of a marked message fails at once, and then
        // the QUIT behind it would commit whenever the session read both before the stop began (a race).
        await client.SendAsync("RETR 1\r\nQUIT\r\n");

        // Never read: the RETR cannot finish, so the QUIT behind it never runs.
        var clock = Stopwatch.StartNew();
        await Host(server).StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.Equal(2, store.Ids("alice").Count);
    }

    [Fact]
    public async Task Readiness_turns_unhealthy_as_soon_as_draining_starts()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", LargeMessage(16 * 1024 * 1024));
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        var health = server.Services.GetRequiredService<HealthCheckService>();
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(c => c.Tags.Contains("ready"))).Status);

        // A RETR the client does not read keeps the host draining while readiness is asked.
        Assert.StartsWith("+OK", await client.CommandAsync("RETR 1"));
        var stop = Host(server).StopAsync();
        var report = await health.CheckHealthAsync(c => c.Tags.Contains("ready"));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("draining", report.Entries["pop3"].Description, StringComparison.Ordinal);
        await client.ReadMultiLineBodyAsync();
        await stop.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void The_drain_timeout_is_the_hosts_shutdown_timeout()
    {
        using var server = new Pop3ServerFactory().WithInMemoryMail(new()).With("Pop3:DrainTimeout", "00:01:15");
        _ = server.Pop3EndPoint;
        Assert.Equal(TimeSpan.FromSeconds(75), server.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout);
    }

    private static IHost Host(Pop3ServerFactory server) => server.Services.GetRequiredService<IHost>();

    private static byte[] LargeMessage(int size)
    {
        var line = "Subject: large\r\n\r\n"u8.ToArray();
        var body = "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrstuvwxyz\r\n"u8.ToArray();
        var message = new byte[line.Length + (size / body.Length * body.Length)];
        line.CopyTo(message, 0);
        for (var at = line.Length; at + body.Length <= message.Length; at += body.Length)
        {
            body.CopyTo(message, at);
        }

        return message;
    }

    public sealed class CommitGate
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The in-memory maildrop whose commit waits until the test lets it go.</summary>
    public sealed class GatedMaildrop(InMemoryMailStore store, CommitGate gate) : IMaildrop
    {
        private readonly InMemoryMaildrop _inner = new(store);

        public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken) => _inner.OpenAsync(mailbox, cancellationToken);

        public ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken) => _inner.ListAsync(cancellationToken);

        public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken) => _inner.OpenMessageAsync(message, cancellationToken);

        public async ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
        {
            gate.Started.TrySetResult();
            await gate.Release.Task;
            await _inner.CommitDeletionsAsync(deleted, cancellationToken);
        }

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }
}
