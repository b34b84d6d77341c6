using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Sessions;

/// <summary>What the framework does for a backend: UIDL validation, sizes it does not know, hooks.</summary>
public sealed class FrameworkDutiesTests
{
    [Fact]
    public async Task Ids_that_break_the_uidl_rules_are_replaced_by_stable_hashes()
    {
        string[] awkward = ["good-id", "has space", "", new string('x', 71), "good-id", "tab\tid", "caf\u00e9"];
        var first = await UidlOf(new ScriptedMaildrop(awkward));
        var second = await UidlOf(new ScriptedMaildrop(awkward));

        var lines = first.Split("\r\n")[1..^2];
        Assert.Equal("1 good-id", lines[0]);
        foreach (var line in lines)
        {
            var uid = line.Split(' ', 2)[1];
            Assert.InRange(uid.Length, 1, 70);
            Assert.All(uid, c => Assert.InRange(c, '!', '~'));
        }

        Assert.Equal(lines.Length, lines.Select(l => l.Split(' ')[1]).Distinct().Count());
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Unknown_sizes_are_measured_once_and_remembered_across_sessions()
    {
        var backend = new ScriptedMaildrop(["a", "b", "c", "d", "e"]);
        var cache = new Pop3MessageSizeCache();
        await using (var s = Harness(backend, cache))
        {
            await s.LoginAsync();
            Assert.Equal($"+OK 5 {5 * ScriptedMaildrop.Size}", await s.CommandAsync("STAT"));
        }

        Assert.Equal(5, backend.Opens);
        await using (var s = Harness(backend, cache))
        {
            await s.LoginAsync();
            Assert.Equal($"+OK 5 {5 * ScriptedMaildrop.Size}", await s.CommandAsync("STAT"));
        }

        Assert.Equal(5, backend.Opens);
    }

    [Fact]
    public async Task The_summary_names_the_user_the_end_and_the_commands()
    {
        await using var server = new SessionHarness(store => store.Add("alice", "Subject: x\r\n\r\n"u8.ToArray()));
        await server.LoginAsync();
        await server.CommandAsync("QUIT");
        var summary = await server.Run;
        Assert.Equal("alice", summary.User);
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(3, summary.Commands);
    }

    [Fact]
    public async Task A_failed_commit_is_reported_as_a_temporary_error()
    {
        var backend = new ScriptedMaildrop(["a", "b"]) { FailCommit = true };
        await using var s = Harness(backend, new Pop3MessageSizeCache());
        await s.LoginAsync();
        Assert.StartsWith("+OK", await s.CommandAsync("DELE 1"));
        Assert.Equal("-ERR [SYS/TEMP] Deleting messages failed; nothing was deleted that you did not mark", await s.CommandAsync("QUIT"));
        Assert.Equal(Pop3SessionEnd.Quit, (await s.Run).End);
        Assert.Equal(["a"], backend.CommitAttempts.Single());
    }

    private static async Task<string> UidlOf(ScriptedMaildrop backend)
    {
        await using var s = Harness(backend, new Pop3MessageSizeCache());
        await s.LoginAsync();
        await s.SendAsync("UIDL\r\n");
        return await s.ReadMultiLineAsync();
    }

    private static SessionHarness Harness(ScriptedMaildrop backend, Pop3MessageSizeCache cache) =>
        new(configure: b =>
        {
            b.Services.AddSingleton(backend);
            b.Services.AddSingleton(cache);
            b.Services.AddScoped<IMaildrop>(sp => new ScriptedMaildrop.Session(sp.GetRequiredService<ScriptedMaildrop>()));
        });

    /// <summary>A backend with awkward ids and no sizes, counting how often messages are opened.</summary>
    private sealed class ScriptedMaildrop(string[] ids)
    {
        public const int Size = 20; // "Subject: s\n\nbody\n" with CRLF line endings
        public int Opens;

        public bool FailCommit { get; init; }

        public List<string[]> CommitAttempts { get; } = [];

        public string[] Ids => ids;

        public sealed class Session(ScriptedMaildrop owner) : IMaildrop
        {
            public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken) => ValueTask.FromResult(MaildropOpenStatus.Opened);

            public ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken) =>
                ValueTask.FromResult<IReadOnlyList<MaildropMessage>>(owner.Ids.Select(id => new MaildropMessage(id, null)).ToArray());

            public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref owner.Opens);
                return ValueTask.FromResult<Stream>(new MemoryStream(Encoding.ASCII.GetBytes("Subject: s\n\nbody\n")));
            }

            public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
            {
                owner.CommitAttempts.Add(deleted.Select(m => m.Id).ToArray());
                return owner.FailCommit ? throw new IOException("disk full") : ValueTask.CompletedTask;
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
