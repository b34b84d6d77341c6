using Pop3.Kestrel.Maildrops;
using Xunit;

namespace Pop3.Kestrel.Testing;

/// <summary>
/// The contract of <see cref="IMaildrop"/> for a backend the kit cannot deliver into: a read-only store, or one that
/// makes its messages on the fly. Every check works on the mail the maildrop already offers: the listing, sizes,
/// byte-exact streams, UIDLs, the lock, and the commit at UPDATE. Inherit it, implement
/// <see cref="CreateMaildropAsync"/> and <see cref="PrepareMailboxAsync"/>, and every test below runs.
/// </summary>
/// <remarks>
/// A backend that can take new mail should inherit <see cref="MaildropConformanceTests"/> instead (or as
/// well): only delivery can show that the listing is a snapshot that later mail does not change. xunit makes a new
/// instance of the class for every test. The kit sees the backend only through <see cref="IMaildrop"/>, so the
/// backend's class may stay internal to its assembly.
/// </remarks>
public abstract class ReadOnlyMaildropConformanceTests : IAsyncLifetime
{
    private readonly List<IMaildrop> _created = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    /// <summary>Bounds every call into the backend, so a hang fails the test instead of the run.</summary>
    protected CancellationToken Timeout => _timeout.Token;

    /// <summary>
    /// A new, unopened maildrop: one session's instance, as the server's DI scope would make it. Every instance a
    /// test creates must share one store, so that two of them can see each other's lock and deletions.
    /// </summary>
    protected abstract ValueTask<IMaildrop> CreateMaildropAsync();

    /// <summary>
    /// The name of a mailbox that offers at least two messages and that no other test uses: the tests delete from it.
    /// For a generated maildrop, any new name; for a read-only store, a fresh copy of some fixture mail.
    /// </summary>
    protected abstract ValueTask<string> PrepareMailboxAsync();

    /// <summary>
    /// True (the default) if committed deletions remove the messages. A store that can never delete returns false;
    /// the kit then expects a commit to succeed and every message to stay.
    /// </summary>
    protected virtual bool CommitRemovesMessages => true;

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var maildrop in _created)
        {
            await maildrop.DisposeAsync();
        }

        _timeout.Dispose();
    }

    // ---- The listing ----

    /// <summary>The prepared mailbox opens and lists at least two messages.</summary>
    [Fact]
    public async Task The_prepared_mailbox_lists_at_least_two_messages()
    {
        var listed = await ListAsync(await OpenAsync(await PrepareMailboxAsync()));
        Assert.True(listed.Count >= 2, $"PrepareMailboxAsync gave a mailbox of {listed.Count} messages; the checks need at least two.");
    }

    /// <summary>Listing twice in one session gives the same ids and sizes: the snapshot taken at open.</summary>
    [Fact]
    public async Task Listing_again_in_a_session_gives_the_same_snapshot()
    {
        var maildrop = await OpenAsync(await PrepareMailboxAsync());
        var first = await ListAsync(maildrop);
        var second = await ListAsync(maildrop);
        Assert.Equal(first.Select(m => m.Id), second.Select(m => m.Id));
        Assert.Equal(first.Select(m => m.Size), second.Select(m => m.Size));
    }

    // ---- Sizes and bytes ----

    /// <summary>
    /// Each message's size, as listed or as the framework measures it, equals the octets a client keeps of what the
    /// framework sends for it (the reply un-dot-stuffed, without its terminating line).
    /// </summary>
    [Fact]
    public async Task Sizes_equal_the_octets_the_framework_sends()
    {
        var maildrop = await OpenAsync(await PrepareMailboxAsync());
        var listed = await ListAsync(maildrop);
        var streams = new List<byte[]>(listed.Count);
        foreach (var message in listed)
        {
            streams.Add(await ReadAsync(maildrop, message));
        }

        var served = Pop3Wire.Serve(await ListAsync(maildrop), streams);
        for (var i = 0; i < listed.Count; i++)
        {
            var received = Pop3Wire.Pop3Form(streams[i]);
            if (listed[i].Size is { } size)
            {
                Assert.True(size == received.Length, $"Message '{listed[i].Id}' is listed with {size} octets; the client receives {received.Length}.");
            }

            Assert.Equal(received.Length, served.SizeOf(i));
        }
    }

    /// <summary>Every message streams the same bytes each time it is read, within a session and in the next one.</summary>
    [Fact]
    public async Task A_message_streams_the_same_bytes_every_time()
    {
        var mailbox = await PrepareMailboxAsync();
        var first = await OpenAsync(mailbox);
        var listed = await ListAsync(first);
        var once = new List<byte[]>();
        foreach (var message in listed)
        {
            once.Add(await ReadAsync(first, message));
            Assert.Equal(once[^1], await ReadAsync(first, message));
        }

        await first.DisposeAsync();

        var next = await OpenAsync(mailbox);
        var again = await ListAsync(next);
        Assert.Equal(listed.Select(m => m.Id), again.Select(m => m.Id));
        for (var i = 0; i < again.Count; i++)
        {
            Assert.Equal(once[i], await ReadAsync(next, again[i]));
        }
    }

    // ---- Unique ids (RFC 1939 §7) ----

    /// <summary>Ids are 1–70 characters in 0x21–0x7E and unique, so the framework serves them as UIDLs unchanged.</summary>
    [Fact]
    public async Task Ids_are_valid_unique_uidls_served_as_listed()
    {
        var maildrop = await OpenAsync(await PrepareMailboxAsync());
        var listed = await ListAsync(maildrop);
        foreach (var message in listed)
        {
            Assert.True(Pop3Wire.IsValidUid(message.Id), $"'{message.Id}' is not 1-70 characters in 0x21-0x7E: the framework would serve a hash of it.");
        }

        Assert.Equal(listed.Count, listed.Select(m => m.Id).Distinct(StringComparer.Ordinal).Count());
        var streams = new List<byte[]>(listed.Count);
        foreach (var message in listed)
        {
            streams.Add(message.Size is null ? await ReadAsync(maildrop, message) : []);
        }

        var served = Pop3Wire.Serve(listed, streams);
        Assert.Equal(listed.Select(m => m.Id), Enumerable.Range(0, served.Count).Select(served.UidOf));
    }

    /// <summary>The same messages are listed with the same ids, in the same order, in every session.</summary>
    [Fact]
    public async Task Ids_are_stable_across_sessions()
    {
        var mailbox = await PrepareMailboxAsync();
        var first = await OpenAsync(mailbox);
        var before = (await ListAsync(first)).Select(m => m.Id).ToArray();
        await first.DisposeAsync();

        var second = await OpenAsync(mailbox);
        Assert.Equal(before, (await ListAsync(second)).Select(m => m.Id));
    }

    // ---- Opening and the lock (RFC 1939 §8) ----

    /// <summary>While one session has the mailbox open, a second open gets <see cref="MaildropOpenStatus.InUse"/>.</summary>
    [Fact]
    public async Task A_second_open_while_the_first_is_open_is_in_use()
    {
        var mailbox = await PrepareMailboxAsync();
        await OpenAsync(mailbox);

        var second = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync(mailbox, Timeout));
    }

    /// <summary>Disposing the session that holds the lock lets the next one open, even on the instance that got in-use.</summary>
    [Fact]
    public async Task Dispose_releases_the_lock_for_the_instance_that_waited()
    {
        var mailbox = await PrepareMailboxAsync();
        var first = await OpenAsync(mailbox);
        var second = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync(mailbox, Timeout));

        await first.DisposeAsync();
        Assert.Equal(MaildropOpenStatus.Opened, await second.OpenAsync(mailbox, Timeout));
    }

    /// <summary>An instance that got in-use and is disposed does not release the lock the first session holds.</summary>
    [Fact]
    public async Task Disposing_the_instance_that_got_in_use_keeps_the_holders_lock()
    {
        var mailbox = await PrepareMailboxAsync();
        await OpenAsync(mailbox);
        var loser = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.InUse, await loser.OpenAsync(mailbox, Timeout));
        await loser.DisposeAsync();

        var third = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.InUse, await third.OpenAsync(mailbox, Timeout));
    }

    /// <summary>Disposing an instance that never opened, or disposing twice (the server does both), is harmless.</summary>
    [Fact]
    public async Task Dispose_without_open_and_twice_is_harmless()
    {
        var never = await CreateAsync();
        await never.DisposeAsync();
        var mailbox = await PrepareMailboxAsync();
        var twice = await OpenAsync(mailbox);
        await twice.DisposeAsync();
        await twice.DisposeAsync();

        await OpenAsync(mailbox);
    }

    // ---- The commit at UPDATE ----

    /// <summary>A session that reads and ends without a commit (a dropped connection, a timeout) deletes nothing.</summary>
    [Fact]
    public async Task A_session_without_a_commit_deletes_nothing()
    {
        var mailbox = await PrepareMailboxAsync();
        var session = await OpenAsync(mailbox);
        var listed = await ListAsync(session);
        await ReadAsync(session, listed[0]);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        Assert.Equal(listed.Select(m => m.Id), (await ListAsync(next)).Select(m => m.Id));
    }

    /// <summary>A commit removes exactly the messages it is given; the others keep their ids and bytes.</summary>
    [Fact]
    public async Task A_commit_removes_exactly_the_given_messages()
    {
        var mailbox = await PrepareMailboxAsync();
        var session = await OpenAsync(mailbox);
        var listed = await ListAsync(session);
        var kept = listed.Skip(1).ToArray();
        var keptBytes = new List<byte[]>();
        foreach (var message in kept)
        {
            keptBytes.Add(await ReadAsync(session, message));
        }

        await session.CommitDeletionsAsync([listed[0]], Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        var left = await ListAsync(next);
        if (!CommitRemovesMessages)
        {
            Assert.Equal(listed.Select(m => m.Id), left.Select(m => m.Id));
            return;
        }

        Assert.Equal(kept.Select(m => m.Id), left.Select(m => m.Id));
        for (var i = 0; i < left.Count; i++)
        {
            Assert.Equal(keptBytes[i], await ReadAsync(next, left[i]));
        }
    }

    /// <summary>An empty commit (QUIT with nothing marked) changes nothing.</summary>
    [Fact]
    public async Task An_empty_commit_changes_nothing()
    {
        var mailbox = await PrepareMailboxAsync();
        var session = await OpenAsync(mailbox);
        var listed = await ListAsync(session);
        await session.CommitDeletionsAsync([], Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        Assert.Equal(listed.Select(m => m.Id), (await ListAsync(next)).Select(m => m.Id));
    }

    /// <summary>Committing a message that is already gone is no error and touches nothing else.</summary>
    [Fact]
    public async Task Committing_a_message_already_gone_is_not_an_error()
    {
        var mailbox = await PrepareMailboxAsync();
        var session = await OpenAsync(mailbox);
        var listed = await ListAsync(session);
        await session.CommitDeletionsAsync([listed[0]], Timeout);
        await session.CommitDeletionsAsync([listed[0]], Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        var expected = CommitRemovesMessages ? listed.Skip(1) : listed;
        Assert.Equal(expected.Select(m => m.Id), (await ListAsync(next)).Select(m => m.Id));
    }

    /// <summary>A commit in one mailbox leaves another mailbox as it was.</summary>
    [Fact]
    public async Task A_commit_leaves_other_mailboxes_alone()
    {
        var mailbox = await PrepareMailboxAsync();
        var other = await PrepareMailboxAsync();
        var otherSession = await OpenAsync(other);
        var otherBefore = (await ListAsync(otherSession)).Select(m => m.Id).ToArray();
        await otherSession.DisposeAsync();

        var session = await OpenAsync(mailbox);
        await session.CommitDeletionsAsync(await ListAsync(session), Timeout);
        await session.DisposeAsync();

        var otherAfter = await OpenAsync(other);
        Assert.Equal(otherBefore, (await ListAsync(otherAfter)).Select(m => m.Id));
    }

    // ---- Helpers ----

    private async Task<IMaildrop> CreateAsync()
    {
        var maildrop = await CreateMaildropAsync();
        _created.Add(maildrop);
        return maildrop;
    }

    private async Task<IMaildrop> OpenAsync(string mailbox)
    {
        var maildrop = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync(mailbox, Timeout));
        return maildrop;
    }

    private async Task<IReadOnlyList<MaildropMessage>> ListAsync(IMaildrop maildrop) => await maildrop.ListAsync(Timeout);

    private async Task<byte[]> ReadAsync(IMaildrop maildrop, MaildropMessage message)
    {
        await using var stream = await maildrop.OpenMessageAsync(message, Timeout);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Timeout);
        return copy.ToArray();
    }
}
