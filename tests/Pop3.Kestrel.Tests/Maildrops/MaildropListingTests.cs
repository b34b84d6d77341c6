using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Maildrops;

/// <summary>
/// A backend may hand over a <see cref="MaildropListing"/> (validated once, shared by sessions) or any other list
/// (validated at each login). Both must give the session the same numbered view.
/// </summary>
public sealed class MaildropListingTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    // Valid, repeated, too long, with a space, empty: every rule of RFC 1939 §7 that makes the framework hash an id.
    private static readonly MaildropMessage[] Messages =
    [
        new("a1", 10, "k1"),
        new("a1", 20, "k2"),
        new(new string('x', 71), 30, "k3"),
        new("has space", 40, "k4"),
        new("", 50, "k5"),
        new("b2", 60, "k6"),
    ];

    [Fact]
    public async Task A_listing_and_a_plain_list_give_the_same_view()
    {
        var generic = await Pop3Maildrop.LoadAsync(new ListedMaildrop(Messages), "alice", new Pop3MessageSizeCache(), None);
        var ready = await Pop3Maildrop.LoadAsync(new ListedMaildrop(new MaildropListing(Messages)), "alice", new Pop3MessageSizeCache(), None);

        Assert.Equal(generic.Highest, ready.Highest);
        Assert.Equal(generic.Count, ready.Count);
        Assert.Equal(210, ready.Size);
        Assert.Equal(generic.Size, ready.Size);
        for (var number = 1; number <= generic.Highest; number++)
        {
            Assert.Equal(generic.UidOf(number), ready.UidOf(number));
            Assert.Equal(generic.SizeOf(number), ready.SizeOf(number));
            Assert.Same(Messages[number - 1], ready.MessageOf(number));
        }

        Assert.Equal(6, Enumerable.Range(1, 6).Select(ready.UidOf).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Enumerable.Range(1, 6).Select(ready.UidOf), uid => Assert.True(Pop3Maildrop.IsValidUid(uid), uid));
    }

    [Fact]
    public void A_listing_needs_every_size()
    {
        var error = Assert.Throws<ArgumentException>(() => new MaildropListing([new("a", 1), new("b", null)]));
        Assert.Contains("Message 2 ('b') has no size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_sharing_one_listing_keep_their_own_deletion_marks()
    {
        var listing = new MaildropListing(Messages);
        var backend = new ListedMaildrop(listing);
        var one = await Pop3Maildrop.LoadAsync(backend, "alice", new Pop3MessageSizeCache(), None);
        var two = await Pop3Maildrop.LoadAsync(backend, "alice", new Pop3MessageSizeCache(), None);

        Assert.False(one.IsDeleted(2));
        Assert.Empty(one.Marked());
        Assert.Equal(0, one.MarkedSize());

        one.MarkDeleted(2);
        one.MarkDeleted(2);
        one.MarkDeleted(6);

        Assert.True(one.IsDeleted(2));
        Assert.Equal(4, one.Count);
        Assert.Equal(130, one.Size);
        Assert.Equal(2, one.DeletedCount);
        Assert.Equal(80, one.MarkedSize());
        Assert.Equal([Messages[1], Messages[5]], one.Marked());
        Assert.False(two.IsDeleted(2));
        Assert.Equal(6, two.Count);
        Assert.Equal(210, two.Size);

        one.Reset();
        Assert.False(one.IsDeleted(2));
        Assert.Equal(6, one.Count);
        Assert.Equal(210, one.Size);
        Assert.Empty(one.Marked());
    }

    /// <summary>A backend that lists what it was given.</summary>
    private sealed class ListedMaildrop(IReadOnlyList<MaildropMessage> listed) : IMaildrop
    {
        public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken) => ValueTask.FromResult(MaildropOpenStatus.Opened);

        public ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken) => ValueTask.FromResult(listed);

        public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
