using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>
/// The listing cache on a real Maildir. The cache's clock is a <see cref="FakeTimeProvider"/> set against the real
/// modification times on disk, so "a login two seconds after the last change" and "a login in the same tick as a
/// change" are both exact, without sleeping.
/// </summary>
public sealed class MaildirListingCacheTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempMaildirs _maildirs = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _maildirs.Dispose();

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private string Cur(string user = "alice") => Path.Combine(_maildirs.Root(user), "cur");

    private MaildirListingCache NewCache(int capacity = MaildirOptions.DefaultListingCacheMessages) =>
        new(Options.Create(new MaildirOptions { Path = _maildirs.Template, ListingCacheMessages = capacity }), _time);

    /// <summary>Lets the cache's clock run to <paramref name="after"/> past the newest change now on disk.</summary>
    private void LoginLater(TimeSpan after, string user = "alice")
    {
        var root = _maildirs.Root(user);
        var newest = new[] { "cur", "new" }.Select(sub => Directory.GetLastWriteTimeUtc(Path.Combine(root, sub))).Max();
        _time.SetUtcNow(new DateTimeOffset(newest, TimeSpan.Zero) + after);
    }

    private void Settled(string user = "alice") => LoginLater(TimeSpan.FromSeconds(2), user);

    /// <summary>One session: open, list, optionally commit deletions, close.</summary>
    private async Task<IReadOnlyList<MaildropMessage>> LoginAsync(MaildirListingCache cache, string user = "alice", Func<IReadOnlyList<MaildropMessage>, IReadOnlyList<MaildropMessage>>? delete = null)
    {
        await using var maildrop = _maildirs.CreateMaildrop(cache);
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync(user, None));
        var listed = await maildrop.ListAsync(None);
        if (delete is not null)
        {
            await maildrop.CommitDeletionsAsync(delete(listed), None);
        }

        return listed;
    }

    /// <summary>Changes cur/ as another program would within one timestamp tick: the directory keeps its mtime.</summary>
    private void BehindTheCache(Action change, string user = "alice")
    {
        var cur = Cur(user);
        var mtime = Directory.GetLastWriteTimeUtc(cur);
        change();
        Directory.SetLastWriteTimeUtc(cur, mtime);
    }

    private void PutThree()
    {
        _maildirs.Put("cur", "1700000000.a,S=3,W=3:2,", Bytes("a\r\n"));
        _maildirs.Put("cur", "1700000001.b,S=3,W=3:2,", Bytes("b\r\n"));
        _maildirs.Put("cur", "1700000002.c:2,", Bytes("c\n"));
    }

    [Fact]
    public async Task Second_login_of_an_unchanged_Maildir_is_served_from_the_cache()
    {
        PutThree();
        var cache = NewCache();
        _ = await LoginAsync(cache);
        Settled();

        var first = await LoginAsync(cache);
        var second = await LoginAsync(cache);

        Assert.Same(first, second);
        Assert.Equal(1, cache.Hits);
        Assert.IsType<MaildropListing>(second);
        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c"], second.Select(m => m.Id));
        Assert.Equal([3L, 3L, 3L], second.Select(m => m.Size!.Value));
    }

    [Fact]
    public async Task A_listing_read_when_the_Maildir_had_settled_hides_a_change_that_kept_the_mtime()
    {
        // The converse of the next test, and the proof that the cache is used: a re-read would list the new name.
        PutThree();
        var cache = NewCache();
        _ = await LoginAsync(cache);
        Settled();
        _ = await LoginAsync(cache);

        BehindTheCache(() => File.Move(Path.Combine(Cur(), "1700000001.b,S=3,W=3:2,"), Path.Combine(Cur(), "1700000001.z,S=3,W=3:2,")));
        var listed = await LoginAsync(cache);

        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c"], listed.Select(m => m.Id));
    }

    [Fact]
    public async Task Mail_delivered_in_the_same_tick_as_the_listing_appears_at_the_next_login()
    {
        PutThree();
        var cache = NewCache();
        _ = await LoginAsync(cache);

        // The listing is read half a second after cur/ last changed: a change now may not move its mtime.
        LoginLater(TimeSpan.FromMilliseconds(500));
        _ = await LoginAsync(cache);
        BehindTheCache(() => _maildirs.Put("cur", "1700000003.d,S=3,W=3:2,", Bytes("d\r\n")));
        Settled();
        var listed = await LoginAsync(cache);

        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c", "1700000003.d"], listed.Select(m => m.Id));
    }

    [Fact]
    public async Task Mail_delivered_between_logins_appears()
    {
        PutThree();
        var cache = NewCache();
        _ = await LoginAsync(cache);
        Settled();
        _ = await LoginAsync(cache);

        using (var message = new MemoryStream(Bytes("Subject: new\r\n\r\nnew\r\n")))
        {
            await MaildirDelivery.DeliverAsync(_maildirs.Root(), message, None);
        }

        Settled();
        var listed = await LoginAsync(cache);

        Assert.Equal(4, listed.Count);
        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c"], listed.Take(3).Select(m => m.Id));
        Assert.Empty(_maildirs.FilesIn("new"));

        // And the listing made after the move is cached in turn, with the moved message in it.
        Settled();
        Assert.Same(await LoginAsync(cache), await LoginAsync(cache));
        Assert.Equal(4, (await LoginAsync(cache)).Count);
    }

    [Fact]
    public async Task Message_deleted_by_DELE_and_QUIT_is_gone_at_the_next_login()
    {
        PutThree();
        var cache = NewCache();
        _ = await LoginAsync(cache);
        Settled();
        _ = await LoginAsync(cache, delete: listed => [listed[1]]);

        Settled();
        var listed = await LoginAsync(cache);

        Assert.Equal(["1700000000.a", "1700000002.c"], listed.Select(m => m.Id));
    }

    [Fact]
    public async Task Message_removed_by_another_program_is_gone_at_the_next_login()
    {
        PutThree();
        var cache = NewCache();
        _ = await LoginAsync(cache);
        Settled();
        _ = await LoginAsync(cache);
        var readsBefore = cache.Reads;

        File.Delete(Path.Combine(Cur(), "1700000000.a,S=3,W=3:2,"));
        Settled();
        var listed = await LoginAsync(cache);

        Assert.Equal(["1700000001.b", "1700000002.c"], listed.Select(m => m.Id));
        Assert.Equal(readsBefore + 1, cache.Reads);
    }

    [Fact]
    public async Task Flags_changed_by_another_program_do_not_break_RETR_even_behind_the_cache()
    {
        PutThree();
        var cache = NewCache();
        _ = await LoginAsync(cache);
        Settled();
        _ = await LoginAsync(cache);
        var hits = cache.Hits;

        BehindTheCache(() => File.Move(Path.Combine(Cur(), "1700000001.b,S=3,W=3:2,"), Path.Combine(Cur(), "1700000001.b,S=3,W=3:2,S")));
        await using (var maildrop = _maildirs.CreateMaildrop(cache))
        {
            Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("alice", None));
            var listed = await maildrop.ListAsync(None);
            Assert.Equal(hits + 1, cache.Hits);
            await using var stream = await maildrop.OpenMessageAsync(listed[1], None);
            using var reader = new StreamReader(stream);
            Assert.Equal("b\r\n", await reader.ReadToEndAsync(None));
        }

        // A rename that does change cur/'s mtime is simply read again.
        File.Move(Path.Combine(Cur(), "1700000002.c:2,"), Path.Combine(Cur(), "1700000002.c:2,RS"));
        Settled();
        var again = await LoginAsync(cache);
        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c"], again.Select(m => m.Id));
        Assert.Equal("1700000002.c:2,RS", Assert.IsType<MaildirMessageKey>(again[2].Key).FileName);
    }

    [Fact]
    public async Task Least_recently_used_Maildirs_are_evicted_to_stay_within_the_bound()
    {
        // Each Maildir weighs its messages plus one: alice 3, bob 2, carol 2, against a bound of 5.
        _maildirs.Put("cur", "1700000000.a1,S=3,W=3:2,", Bytes("a\r\n"), "alice");
        _maildirs.Put("cur", "1700000001.a2,S=3,W=3:2,", Bytes("a\r\n"), "alice");
        _maildirs.Put("cur", "1700000000.b1,S=3,W=3:2,", Bytes("b\r\n"), "bob");
        _maildirs.Put("cur", "1700000000.c1,S=3,W=3:2,", Bytes("c\r\n"), "carol");
        var cache = NewCache(capacity: 5);
        foreach (var user in new[] { "alice", "bob", "carol" })
        {
            _ = await LoginAsync(cache, user);
        }

        _time.SetUtcNow(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));
        _ = await LoginAsync(cache, "alice");
        _ = await LoginAsync(cache, "bob");
        Assert.Equal(2, cache.Mailboxes);
        Assert.Equal(5, cache.Messages);

        _ = await LoginAsync(cache, "alice");
        _ = await LoginAsync(cache, "carol");

        Assert.Equal(2, cache.Mailboxes);
        Assert.Equal(5, cache.Messages);
        var hits = cache.Hits;
        _ = await LoginAsync(cache, "alice");
        _ = await LoginAsync(cache, "carol");
        Assert.Equal(hits + 2, cache.Hits);
        _ = await LoginAsync(cache, "bob");
        Assert.Equal(hits + 2, cache.Hits);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task A_Maildir_heavier_than_the_bound_is_never_kept(int capacity)
    {
        PutThree();
        var cache = NewCache(capacity);
        _ = await LoginAsync(cache);
        Settled();

        _ = await LoginAsync(cache);
        var listed = await LoginAsync(cache);

        Assert.Equal(3, listed.Count);
        Assert.Equal(0, cache.Hits);
        Assert.Equal(0, cache.Mailboxes);
        Assert.Equal(0, cache.Messages);
    }

    [Fact]
    public async Task Corrupt_missing_and_rewritten_dovecot_uidlists_are_each_listed_right()
    {
        PutThree();
        var uidList = Path.Combine(_maildirs.Root(), "dovecot-uidlist");
        File.WriteAllText(uidList, "garbage that is no uidlist\n1 :1700000000.a\n");
        var cache = NewCache();
        _ = await LoginAsync(cache);
        File.SetLastWriteTimeUtc(uidList, DateTime.UtcNow - TimeSpan.FromSeconds(10));
        Settled();

        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c"], (await LoginAsync(cache)).Select(m => m.Id));
        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c"], (await LoginAsync(cache)).Select(m => m.Id));
        Assert.Equal(1, cache.Hits);

        File.WriteAllText(uidList, "3 V1234 N3\n1 :1700000000.a,S=3,W=3:2,\n2 :1700000001.b,S=3,W=3:2,\n");
        File.SetLastWriteTimeUtc(uidList, DateTime.UtcNow - TimeSpan.FromSeconds(5));
        Assert.Equal(["00000001000004d2", "00000002000004d2", "1700000002.c"], (await LoginAsync(cache)).Select(m => m.Id));

        File.Delete(uidList);
        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c"], (await LoginAsync(cache)).Select(m => m.Id));
    }

    [Fact]
    public async Task Listing_holds_the_sizes_measured_for_the_index_and_is_reused_after_the_index_is_written()
    {
        // No W= in the name: the first listing measures and writes pop3-kestrel.sizes, which changes the stamp it keeps.
        _maildirs.Put("cur", "1700000000.lf:2,", Bytes("one\ntwo\n"));
        var cache = NewCache();
        _time.SetUtcNow(DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));

        var first = await LoginAsync(cache);
        var second = await LoginAsync(cache);

        Assert.Equal(10, Assert.Single(first).Size);
        Assert.Same(first, second);
        Assert.True(File.Exists(Path.Combine(_maildirs.Root(), "pop3-kestrel.sizes")));
    }

    [Fact]
    public async Task A_changed_Maildir_is_read_again_from_the_previous_listing_even_one_read_in_the_tick_of_a_change()
    {
        PutThree();
        var cache = NewCache();

        // Read at once: unsettled, so never served as it is, but kept for the next read to take from.
        var first = await LoginAsync(cache);
        _maildirs.Put("new", "1700000003.d,S=3,W=3", Bytes("d\r\n"));
        var second = await LoginAsync(cache);
        Settled();
        var third = await LoginAsync(cache);

        Assert.Equal(["1700000000.a", "1700000001.b", "1700000002.c", "1700000003.d"], second.Select(m => m.Id));
        Assert.Equal(second.Select(m => m.Id), third.Select(m => m.Id));
        Assert.Same(first[2], second[2]);
        Assert.Equal(0, cache.Hits);
        Assert.Equal(3, cache.Reads);
        Assert.Equal(2, cache.Rereads);
        Assert.Same(third, await LoginAsync(cache));
    }
}
