using System.Text;
using Pop3.Kestrel.Maildrops;
using Xunit;

namespace Pop3.Kestrel.Testing;

/// <summary>
/// The contract of <see cref="IMaildrop"/>, as xunit tests. Inherit it in a test project, implement
/// <see cref="CreateMaildropAsync"/> and <see cref="DeliverAsync"/>, and every test below runs against your backend:
/// snapshots, sizes, unique ids, the lock, and the commit at UPDATE.
/// </summary>
/// <remarks>
/// xunit makes a new instance of the class for every test. Each test works in mailboxes named by
/// <see cref="NewMailboxName"/>, fresh for each test, so the store may be shared between tests. Override
/// <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/> to set the store up and tear it down. A backend the
/// kit cannot deliver into (read-only, or making its messages on the fly) uses
/// <see cref="ReadOnlyMaildropConformanceTests"/> instead. The kit sees the backend only through <see cref="IMaildrop"/>,
/// so the backend's class may stay internal to its assembly.
/// </remarks>
public abstract class MaildropConformanceTests : IAsyncLifetime
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

    /// <summary>Puts <paramref name="message"/> into <paramref name="mailbox"/> the way new mail arrives in this store.</summary>
    protected abstract ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message);

    /// <summary>
    /// True (the default) if a message is streamed back exactly as delivered. A backend that hands out the POP3 form
    /// instead (CRLF line ends and a final CRLF, as a proxy does) returns false, and the kit expects that form.
    /// </summary>
    protected virtual bool KeepsBytesAsDelivered => true;

    /// <summary>
    /// What the backend's transport makes of a message in the POP3 form, for a backend that cannot carry every octet:
    /// IMAP cannot carry NUL (RFC 3501 §4.3), so an IMAP upstream such as Dovecot sends 0x80 instead. Default: unchanged.
    /// </summary>
    protected virtual byte[] AsTransported(byte[] pop3Form) => pop3Form;

    /// <summary>
    /// False for a backend whose listed size leaves out the CRLF that the POP3 form adds to a message without a final
    /// line end (an IMAP upstream lists RFC822.SIZE, the stored octets). Default true: the listed size is exact.
    /// </summary>
    protected virtual bool ListedSizeCountsAddedFinalLineEnd => true;

    /// <summary>A mailbox name not used by any other test: by default <c>u</c> and 16 hex digits.</summary>
    protected virtual string NewMailboxName() => "u" + Guid.NewGuid().ToString("N")[..16];

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

    // ---- Opening and the lock (RFC 1939 §8) ----

    /// <summary>A mailbox that never received mail opens and lists no message.</summary>
    [Fact]
    public async Task An_empty_mailbox_opens_and_lists_nothing()
    {
        var maildrop = await OpenAsync(NewMailboxName());
        Assert.Empty(await maildrop.ListAsync(Timeout));
    }

    /// <summary>While one session has the mailbox open, a second open gets <see cref="MaildropOpenStatus.InUse"/>.</summary>
    [Fact]
    public async Task The_lock_is_exclusive_per_mailbox()
    {
        var mailbox = NewMailboxName();
        await OpenAsync(mailbox);

        var second = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync(mailbox, Timeout));
    }

    /// <summary>Two sessions of different mailboxes are open at once.</summary>
    [Fact]
    public async Task The_lock_of_one_mailbox_does_not_block_another()
    {
        await OpenAsync(NewMailboxName());
        await OpenAsync(NewMailboxName());
    }

    /// <summary>Disposing the session that holds the lock lets the next one open.</summary>
    [Fact]
    public async Task Dispose_releases_the_lock()
    {
        var mailbox = NewMailboxName();
        var first = await OpenAsync(mailbox);
        await first.ListAsync(Timeout);
        await first.DisposeAsync();

        await OpenAsync(mailbox);
    }

    /// <summary>An instance that got in-use opens once the holder is disposed.</summary>
    [Fact]
    public async Task Open_may_be_tried_again_on_the_same_instance_after_in_use()
    {
        var mailbox = NewMailboxName();
        var first = await OpenAsync(mailbox);
        var second = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync(mailbox, Timeout));

        await first.DisposeAsync();
        Assert.Equal(MaildropOpenStatus.Opened, await second.OpenAsync(mailbox, Timeout));
    }

    /// <summary>An instance that got in-use and is disposed does not release the lock the first session holds.</summary>
    [Fact]
    public async Task Disposing_an_instance_that_lost_the_race_keeps_the_winners_lock()
    {
        var mailbox = NewMailboxName();
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
        var twice = await OpenAsync(NewMailboxName());
        await twice.DisposeAsync();
        await twice.DisposeAsync();
    }

    // ---- The snapshot ----

    /// <summary>Messages are listed oldest first and stream the bytes delivered.</summary>
    [Fact]
    public async Task Messages_are_listed_in_delivery_order_with_their_bytes()
    {
        var mailbox = NewMailboxName();
        byte[][] messages = [Message("first"), Message("second"), Message("third")];
        foreach (var message in messages)
        {
            await DeliverAsync(mailbox, message);
        }

        var maildrop = await OpenAsync(mailbox);
        var listed = await maildrop.ListAsync(Timeout);
        Assert.Equal(messages.Length, listed.Count);
        for (var i = 0; i < messages.Length; i++)
        {
            Assert.Equal(Expected(messages[i]), await ReadAsync(maildrop, listed[i]));
        }
    }

    /// <summary>Mail delivered to one mailbox is not listed in another.</summary>
    [Fact]
    public async Task Mailboxes_are_separate()
    {
        var alice = NewMailboxName();
        var bob = NewMailboxName();
        await DeliverAsync(alice, Message("for alice"));

        var maildrop = await OpenAsync(bob);
        Assert.Empty(await maildrop.ListAsync(Timeout));
    }

    /// <summary>Listing again after a delivery gives the snapshot taken at open: message numbers never change in a session.</summary>
    [Fact]
    public async Task The_listing_is_a_snapshot_that_later_deliveries_do_not_change()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("before 1"));
        await DeliverAsync(mailbox, Message("before 2"));
        var maildrop = await OpenAsync(mailbox);
        var first = await maildrop.ListAsync(Timeout);

        await DeliverAsync(mailbox, Message("during"));
        var second = await maildrop.ListAsync(Timeout);

        Assert.Equal(2, first.Count);
        Assert.Equal(first.Select(m => m.Id), second.Select(m => m.Id));
        Assert.Equal(first.Select(m => m.Size), second.Select(m => m.Size));
    }

    /// <summary>Mail delivered while a session is open is listed by the next session.</summary>
    [Fact]
    public async Task Mail_delivered_during_a_session_appears_in_the_next_one()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("before"));
        var session = await OpenAsync(mailbox);
        Assert.Single(await session.ListAsync(Timeout));
        await DeliverAsync(mailbox, Message("during"));
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        var listed = await next.ListAsync(Timeout);
        Assert.Equal(2, listed.Count);
        Assert.Equal(Expected(Message("during")), await ReadAsync(next, listed[1]));
    }

    /// <summary>A message streams the same bytes each time it is read.</summary>
    [Fact]
    public async Task A_message_can_be_read_more_than_once()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("again"));
        var maildrop = await OpenAsync(mailbox);
        var message = Assert.Single(await maildrop.ListAsync(Timeout));

        var once = await ReadAsync(maildrop, message);
        var twice = await ReadAsync(maildrop, message);
        Assert.Equal(once, twice);
    }

    // ---- Sizes: the framework's one size rule ----

    /// <summary>Awkward shapes: bare LF, CRLF, a lone CR, no final line end, dots at line starts, NUL and 8-bit bytes, a large body.</summary>
    public static TheoryData<string> Shapes => new()
    {
        "lf", "crlf", "no-final-newline", "lone-cr", "dots", "binary", "empty-body", "large",
    };

    /// <summary>For each awkward <paramref name="shape"/>, the listed size (when known) and the framework's measured size equal the CRLF octets of the stream.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task Listed_sizes_equal_the_crlf_octets_of_the_stream(string shape)
    {
        var mailbox = NewMailboxName();
        var bytes = Shape(shape);
        await DeliverAsync(mailbox, bytes);
        var maildrop = await OpenAsync(mailbox);
        var message = Assert.Single(await maildrop.ListAsync(Timeout));

        var streamed = await ReadAsync(maildrop, message);
        Assert.Equal(AsTransported(Expected(bytes)), streamed);
        var measured = Pop3Wire.Measure(streamed);
        Assert.Equal(Pop3Wire.Measure(bytes), measured);
        var served = measured;
        if (message.Size is { } listed)
        {
            served = ListedSizeCountsAddedFinalLineEnd || bytes.Length == 0 || bytes[^1] == (byte)'\n' ? measured : measured - 2;
            Assert.Equal(served, listed);
        }

        // And what the framework serves: a ready listing's own size, or the size listed or measured.
        Assert.Equal(served, Pop3Wire.Serve(await maildrop.ListAsync(Timeout), [streamed]).SizeOf(0));
    }

    // ---- Unique ids (RFC 1939 §7) ----

    /// <summary>Ids are 1–70 characters in 0x21–0x7E and unique, so the framework serves them as UIDLs unchanged.</summary>
    [Fact]
    public async Task Ids_are_valid_uidls_served_as_listed()
    {
        var mailbox = NewMailboxName();
        for (var i = 0; i < 5; i++)
        {
            await DeliverAsync(mailbox, Message($"id {i}"));
        }

        var maildrop = await OpenAsync(mailbox);
        var listed = await maildrop.ListAsync(Timeout);
        foreach (var message in listed)
        {
            Assert.True(Pop3Wire.IsValidUid(message.Id), $"'{message.Id}' is not 1-70 characters in 0x21-0x7E: the framework would serve a hash of it.");
        }

        Assert.Equal(listed.Count, listed.Select(m => m.Id).Distinct(StringComparer.Ordinal).Count());
        var served = await ServeAsync(maildrop, listed);
        Assert.Equal(listed.Select(m => m.Id), Enumerable.Range(0, served.Count).Select(served.UidOf));
    }

    /// <summary>Two deliveries of the same bytes are two messages with different ids.</summary>
    [Fact]
    public async Task Identical_messages_get_different_ids()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("twin"));
        await DeliverAsync(mailbox, Message("twin"));

        var maildrop = await OpenAsync(mailbox);
        var listed = await maildrop.ListAsync(Timeout);
        Assert.Equal(2, listed.Count);
        Assert.NotEqual(listed[0].Id, listed[1].Id);
    }

    /// <summary>The same messages keep their ids in every session and after other messages are deleted.</summary>
    [Fact]
    public async Task Ids_are_stable_across_sessions_and_deletions()
    {
        var mailbox = NewMailboxName();
        for (var i = 0; i < 3; i++)
        {
            await DeliverAsync(mailbox, Message($"stable {i}"));
        }

        var first = await OpenAsync(mailbox);
        var before = (await first.ListAsync(Timeout)).Select(m => m.Id).ToArray();
        await first.DisposeAsync();

        var second = await OpenAsync(mailbox);
        var listed = await second.ListAsync(Timeout);
        Assert.Equal(before, listed.Select(m => m.Id));
        await second.CommitDeletionsAsync([listed[0]], Timeout);
        await second.DisposeAsync();

        var third = await OpenAsync(mailbox);
        Assert.Equal(before[1..], (await third.ListAsync(Timeout)).Select(m => m.Id));
    }

    // ---- The commit at UPDATE ----

    /// <summary>A session that reads and ends without a commit (a dropped connection, a timeout) deletes nothing.</summary>
    [Fact]
    public async Task Nothing_is_deleted_without_a_commit()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("kept 1"));
        await DeliverAsync(mailbox, Message("kept 2"));
        var session = await OpenAsync(mailbox);
        var listed = await session.ListAsync(Timeout);
        await ReadAsync(session, listed[0]);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        Assert.Equal(listed.Select(m => m.Id), (await next.ListAsync(Timeout)).Select(m => m.Id));
    }

    /// <summary>A commit removes exactly the messages it is given; the others keep their ids and bytes.</summary>
    [Fact]
    public async Task Commit_removes_exactly_the_given_messages()
    {
        var mailbox = NewMailboxName();
        for (var i = 1; i <= 4; i++)
        {
            await DeliverAsync(mailbox, Message($"message {i}"));
        }

        var session = await OpenAsync(mailbox);
        var listed = await session.ListAsync(Timeout);
        await session.CommitDeletionsAsync([listed[0], listed[2]], Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        var left = await next.ListAsync(Timeout);
        Assert.Equal([listed[1].Id, listed[3].Id], left.Select(m => m.Id));
        Assert.Equal(Expected(Message("message 2")), await ReadAsync(next, left[0]));
        Assert.Equal(Expected(Message("message 4")), await ReadAsync(next, left[1]));
    }

    /// <summary>A commit of every listed message leaves the mailbox empty.</summary>
    [Fact]
    public async Task Commit_of_every_message_empties_the_mailbox()
    {
        var mailbox = NewMailboxName();
        for (var i = 0; i < 3; i++)
        {
            await DeliverAsync(mailbox, Message($"all {i}"));
        }

        var session = await OpenAsync(mailbox);
        await session.CommitDeletionsAsync(await session.ListAsync(Timeout), Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        Assert.Empty(await next.ListAsync(Timeout));
    }

    /// <summary>An empty commit (QUIT with nothing marked) changes nothing.</summary>
    [Fact]
    public async Task An_empty_commit_changes_nothing()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("untouched"));
        var session = await OpenAsync(mailbox);
        var listed = await session.ListAsync(Timeout);
        await session.CommitDeletionsAsync([], Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        Assert.Equal(listed.Select(m => m.Id), (await next.ListAsync(Timeout)).Select(m => m.Id));
    }

    /// <summary>A commit of the whole listing keeps mail delivered after the listing was taken.</summary>
    [Fact]
    public async Task Mail_delivered_after_the_listing_survives_the_commit()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("old 1"));
        await DeliverAsync(mailbox, Message("old 2"));
        var session = await OpenAsync(mailbox);
        var listed = await session.ListAsync(Timeout);

        await DeliverAsync(mailbox, Message("arrived during the session"));
        await session.CommitDeletionsAsync(listed, Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        var left = Assert.Single(await next.ListAsync(Timeout));
        Assert.Equal(Expected(Message("arrived during the session")), await ReadAsync(next, left));
    }

    /// <summary>Committing a message that is already gone is no error and touches nothing else.</summary>
    [Fact]
    public async Task Committing_a_message_already_gone_is_not_an_error()
    {
        var mailbox = NewMailboxName();
        await DeliverAsync(mailbox, Message("gone"));
        await DeliverAsync(mailbox, Message("stays"));
        var session = await OpenAsync(mailbox);
        var listed = await session.ListAsync(Timeout);
        await session.CommitDeletionsAsync([listed[0]], Timeout);

        // The same deletion again: the message is already gone, which must not throw or touch the other one.
        await session.CommitDeletionsAsync([listed[0]], Timeout);
        await session.DisposeAsync();

        var next = await OpenAsync(mailbox);
        Assert.Equal([listed[1].Id], (await next.ListAsync(Timeout)).Select(m => m.Id));
    }

    // ---- Helpers for derived classes ----

    /// <summary>Creates a maildrop that the kit disposes at the end of the test.</summary>
    protected async Task<IMaildrop> CreateAsync()
    {
        var maildrop = await CreateMaildropAsync();
        _created.Add(maildrop);
        return maildrop;
    }

    /// <summary>Creates and opens a maildrop on <paramref name="mailbox"/>, asserting it opened.</summary>
    protected async Task<IMaildrop> OpenAsync(string mailbox)
    {
        var maildrop = await CreateAsync();
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync(mailbox, Timeout));
        return maildrop;
    }

    /// <summary>Reads a listed message to the end.</summary>
    protected async Task<byte[]> ReadAsync(IMaildrop maildrop, MaildropMessage message)
    {
        await using var stream = await maildrop.OpenMessageAsync(message, Timeout);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Timeout);
        return copy.ToArray();
    }

    /// <summary>A small, distinct message with LF line ends, as an MTA on Unix stores it.</summary>
    protected static byte[] Message(string subject) =>
        Encoding.UTF8.GetBytes($"From: kit@example.org\nTo: user@example.org\nSubject: {subject}\n\nBody of {subject}.\n");

    /// <summary>What the store must stream for a delivered message: the bytes themselves, or their POP3 form.</summary>
    protected byte[] Expected(byte[] delivered) => KeepsBytesAsDelivered ? delivered : Pop3Form(delivered);

    /// <summary>
    /// The POP3 form of a message: a bare LF becomes CRLF, a lone CR stays, a final CRLF is added when the last line
    /// has none. Written apart from the server's encoder so that each checks the other.
    /// </summary>
    protected static byte[] Pop3Form(byte[] message) => Pop3Wire.Pop3Form(message);

    /// <summary>The listing the framework serves for <paramref name="listed"/>, measuring each message the backend left unsized.</summary>
    private async Task<MaildropListing> ServeAsync(IMaildrop maildrop, IReadOnlyList<MaildropMessage> listed)
    {
        var streams = new List<byte[]>(listed.Count);
        foreach (var message in listed)
        {
            streams.Add(message.Size is null ? await ReadAsync(maildrop, message) : []);
        }

        return Pop3Wire.Serve(listed, streams);
    }

    private static byte[] Shape(string shape) => shape switch
    {
        "lf" => "Subject: lf\n\nline 1\nline 2\n"u8.ToArray(),
        "crlf" => "Subject: crlf\r\n\r\nline 1\r\nline 2\r\n"u8.ToArray(),
        "no-final-newline" => "Subject: unterminated\n\nlast line without an end"u8.ToArray(),
        "lone-cr" => "Subject: cr\n\nbefore\rafter\nand\r\n"u8.ToArray(),
        "dots" => "Subject: dots\n\n.\n..\n.leading\n...\n"u8.ToArray(),
        "binary" => [.. "Subject: binary\n\n"u8, 0, 1, 0x7F, 0x80, 0xFF, (byte)'\n', 0xC3, 0xA9, (byte)'\n'],
        "empty-body" => "Subject: nothing\n\n"u8.ToArray(),
        "large" => Large(),
        _ => throw new ArgumentOutOfRangeException(nameof(shape)),
    };

    private static byte[] Large()
    {
        // About 600 KiB of 76-character lines, LF-terminated: more than any one buffer of the framework.
        var builder = new StringBuilder("Subject: large\n\n");
        for (var i = 0; i < 8000; i++)
        {
            builder.Append(i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Append(' ', 1).Append('x', 69).Append('\n');
        }

        return Encoding.ASCII.GetBytes(builder.ToString());
    }
}
