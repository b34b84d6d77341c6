using System.Text;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

public sealed class MaildirMaildropTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public async Task Nonexistent_mailbox_opens_empty_and_is_created_private()
    {
        await using var maildrop = await _maildirs.OpenAsync();

        Assert.Empty(await maildrop.ListAsync(None));
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            var path = Path.Combine(_maildirs.Root(), sub);
            Assert.True(Directory.Exists(path));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
            }
        }
    }

    [Fact]
    public async Task Empty_existing_mailbox_lists_nothing()
    {
        _maildirs.Put("cur", ".hidden", Bytes("x\r\n"));
        Directory.CreateDirectory(Path.Combine(_maildirs.Root(), "cur", "subfolder"));
        Directory.CreateDirectory(Path.Combine(_maildirs.Root(), ".Sent", "cur"));

        await using var maildrop = await _maildirs.OpenAsync();

        Assert.Empty(await maildrop.ListAsync(None));
    }

    [Fact]
    public async Task Open_moves_new_mail_to_cur_with_empty_flags_and_ignores_tmp_and_dot_files()
    {
        _maildirs.Put("new", "1700000000.M1P1Q1.host", Bytes("a\r\n"));
        _maildirs.Put("new", "1700000001.M1P1Q2.host:2,S", Bytes("b\r\n"));
        _maildirs.Put("new", ".dotfile", Bytes("c\r\n"));
        _maildirs.Put("tmp", "1700000002.M1P1Q3.host", Bytes("d\r\n"));

        await using var maildrop = await _maildirs.OpenAsync();
        var messages = await maildrop.ListAsync(None);

        Assert.Equal(["1700000000.M1P1Q1.host:2,", "1700000001.M1P1Q2.host:2,S"], _maildirs.FilesIn("cur"));
        Assert.Equal([".dotfile"], _maildirs.FilesIn("new"));
        Assert.Equal(["1700000002.M1P1Q3.host"], _maildirs.FilesIn("tmp"));
        Assert.Equal(["1700000000.M1P1Q1.host", "1700000001.M1P1Q2.host"], messages.Select(m => m.Id));
    }

    [Fact]
    public async Task Mailbox_that_cannot_be_created_is_unavailable()
    {
        // A plain file where the user's folder should be: nothing can be created below it.
        File.WriteAllText(Path.Combine(_maildirs.Folder, "alice"), "not a directory");
        await using var maildrop = _maildirs.CreateMaildrop();

        Assert.Equal(MaildropOpenStatus.Unavailable, await maildrop.OpenAsync("alice", None));
    }

    [Fact]
    public async Task New_mail_whose_name_is_already_in_cur_stays_in_new()
    {
        _maildirs.Put("cur", "1700000000.same:2,", Bytes("old\r\n"));
        _maildirs.Put("new", "1700000000.same", Bytes("new\r\n"));

        await using var maildrop = await _maildirs.OpenAsync();

        Assert.Single(await maildrop.ListAsync(None));
        Assert.Equal(["1700000000.same"], _maildirs.FilesIn("new"));
        Assert.Equal("old\r\n", File.ReadAllText(Path.Combine(_maildirs.Root(), "cur", "1700000000.same:2,")));
    }

    [Fact]
    public async Task Messages_are_numbered_by_delivery_time_then_name()
    {
        _maildirs.Put("cur", "1700000002.B.host:2,S", Bytes("x\r\n"));
        _maildirs.Put("cur", "1700000001.Z.host:2,", Bytes("x\r\n"));
        _maildirs.Put("cur", "1700000001.A.host:2,", Bytes("x\r\n"));
        _maildirs.Put("cur", "99.early.host:2,", Bytes("x\r\n"));
        _maildirs.Put("cur", "no-timestamp", Bytes("x\r\n"));

        await using var maildrop = await _maildirs.OpenAsync();
        var ids = (await maildrop.ListAsync(None)).Select(m => m.Id);

        Assert.Equal(["no-timestamp", "99.early.host", "1700000001.A.host", "1700000001.Z.host", "1700000002.B.host"], ids);
    }

    [Fact]
    public async Task Id_is_the_unique_name_without_flags_or_size_fields()
    {
        _maildirs.Put("cur", "1700000000.M5P6Q7.host,S=3,W=3,X=y:2,RS", Bytes("x\r\n"));

        await using var maildrop = await _maildirs.OpenAsync();

        Assert.Equal("1700000000.M5P6Q7.host,X=y", Assert.Single(await maildrop.ListAsync(None)).Id);
    }

    [Fact]
    public async Task W_field_in_the_name_is_trusted_as_the_size_without_reading_the_file()
    {
        // The name claims 999 octets for a 3-octet file: the name wins, which proves the body was not measured.
        _maildirs.Put("cur", "1700000000.M1P1Q1.host,S=3,W=999:2,", Bytes("x\r\n"));

        await using var maildrop = await _maildirs.OpenAsync();

        Assert.Equal(999, Assert.Single(await maildrop.ListAsync(None)).Size);
        Assert.False(File.Exists(Path.Combine(_maildirs.Root(), "pop3-kestrel.sizes")));
    }

    [Fact]
    public async Task Size_without_W_field_is_measured_with_CRLF_line_endings()
    {
        _maildirs.Put("cur", "1700000000.lf:2,", Bytes("Subject: x\n\nbody\n.dot"));

        await using var maildrop = await _maildirs.OpenAsync();

        // 12 + 2 + 6 + 4 + 2 (the CRLF added after the last line); the stuffing dot is not counted.
        Assert.Equal(26, Assert.Single(await maildrop.ListAsync(None)).Size);
    }

    [Fact]
    public async Task Size_index_is_written_and_reused_by_the_next_login_without_reading_bodies()
    {
        var path = _maildirs.Put("cur", "1700000000.a:2,", Bytes("a\r\nb\r\n"));
        await using (var first = await _maildirs.OpenAsync())
        {
            Assert.Equal(6, Assert.Single(await first.ListAsync(None)).Size);
        }

        Assert.Equal("1700000000.a\t6\t6\n", File.ReadAllText(Path.Combine(_maildirs.Root(), "pop3-kestrel.sizes")));

        // Same length, different POP3 size (four bare LFs become CRLFs): a second login that read the body would say 10.
        File.WriteAllBytes(path, Bytes("a\nb\n\n\n"));
        await using var second = await _maildirs.OpenAsync();

        Assert.Equal(6, Assert.Single(await second.ListAsync(None)).Size);
    }

    [Fact]
    public async Task Stale_index_entry_is_measured_again_when_the_file_size_changes()
    {
        var path = _maildirs.Put("cur", "1700000000.a:2,", Bytes("a\r\nb\r\n"));
        await using (var first = await _maildirs.OpenAsync())
        {
            Assert.Equal(6, Assert.Single(await first.ListAsync(None)).Size);
        }

        File.WriteAllBytes(path, Bytes("a\nb\nc\nd\n"));
        await using (var second = await _maildirs.OpenAsync())
        {
            Assert.Equal(12, Assert.Single(await second.ListAsync(None)).Size);
        }

        Assert.Equal("1700000000.a\t8\t12\n", File.ReadAllText(Path.Combine(_maildirs.Root(), "pop3-kestrel.sizes")));
    }

    [Fact]
    public async Task Index_forgets_deleted_messages_and_ignores_garbage_lines()
    {
        _maildirs.Put("cur", "1700000000.kept:2,", Bytes("k\r\n"));
        File.WriteAllText(
            Path.Combine(_maildirs.Root(), "pop3-kestrel.sizes"),
            "1700000000.gone\t5\t5\nnot a line\n1700000000.kept\t3\tx\n");

        await using (var maildrop = await _maildirs.OpenAsync())
        {
            Assert.Equal(3, Assert.Single(await maildrop.ListAsync(None)).Size);
        }

        Assert.Equal("1700000000.kept\t3\t3\n", File.ReadAllText(Path.Combine(_maildirs.Root(), "pop3-kestrel.sizes")));
    }

    [Fact]
    public async Task Many_messages_list_from_the_index_on_the_second_login()
    {
        const int count = 2000;
        var root = _maildirs.Root();
        _maildirs.Put("cur", "0.first:2,", Bytes("x\n"));
        for (var i = 1; i < count; i++)
        {
            File.WriteAllBytes(Path.Combine(root, "cur", $"{1700000000 + i}.m{i}:2,"), Bytes("x\n"));
        }

        await using (var first = await _maildirs.OpenAsync())
        {
            Assert.All(await first.ListAsync(None), m => Assert.Equal(3, m.Size));
        }

        // Rewrite every body with the same length but another POP3 size: only a re-read would notice.
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "cur")))
        {
            File.WriteAllBytes(file, Bytes("\r\n"));
        }

        await using var second = await _maildirs.OpenAsync();
        var messages = await second.ListAsync(None);

        Assert.Equal(count, messages.Count);
        Assert.All(messages, m => Assert.Equal(3, m.Size));
    }

    [Fact]
    public async Task Open_message_returns_the_exact_stored_bytes()
    {
        var content = new byte[200_000];
        new Random(42).NextBytes(content);
        _maildirs.Put("cur", "1700000000.bin:2,", content);

        await using var maildrop = await _maildirs.OpenAsync();
        var message = Assert.Single(await maildrop.ListAsync(None));
        await using var stream = await maildrop.OpenMessageAsync(message, None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task Open_message_follows_a_flag_change_by_another_client()
    {
        var path = _maildirs.Put("cur", "1700000000.a:2,", Bytes("a\r\n"));
        await using var maildrop = await _maildirs.OpenAsync();
        var message = Assert.Single(await maildrop.ListAsync(None));

        File.Move(path, path + "S");
        await using var stream = await maildrop.OpenMessageAsync(message, None);

        Assert.Equal(3, stream.Length);
    }

    [Fact]
    public async Task Open_message_of_a_vanished_file_throws_file_not_found()
    {
        var path = _maildirs.Put("cur", "1700000000.a:2,", Bytes("a\r\n"));
        await using var maildrop = await _maildirs.OpenAsync();
        var message = Assert.Single(await maildrop.ListAsync(None));

        File.Delete(path);

        await Assert.ThrowsAsync<FileNotFoundException>(async () => await maildrop.OpenMessageAsync(message, None));
    }

    [Fact]
    public async Task Commit_removes_exactly_the_marked_files()
    {
        _maildirs.Put("cur", "1700000001.a:2,", Bytes("a\r\n"));
        _maildirs.Put("cur", "1700000002.b:2,S", Bytes("b\r\n"));
        _maildirs.Put("cur", "1700000003.c:2,", Bytes("c\r\n"));
        await using var maildrop = await _maildirs.OpenAsync();
        var messages = await maildrop.ListAsync(None);

        await maildrop.CommitDeletionsAsync([messages[0], messages[2]], None);

        Assert.Equal(["1700000002.b:2,S"], _maildirs.FilesIn("cur"));
        // The per-Maildir lock file is left alone, and exists only with the locking that uses it.
        Assert.Equal(_maildirs.Locks.Locking != MaildirLocking.SharedFile, File.Exists(Path.Combine(_maildirs.Root(), MaildirMaildrop.LockFileName)));
    }

    [Fact]
    public async Task Commit_skips_messages_already_gone_and_deletes_renamed_ones()
    {
        var gone = _maildirs.Put("cur", "1700000001.a:2,", Bytes("a\r\n"));
        var renamed = _maildirs.Put("cur", "1700000002.b:2,", Bytes("b\r\n"));
        _maildirs.Put("cur", "1700000003.c:2,", Bytes("c\r\n"));
        await using var maildrop = await _maildirs.OpenAsync();
        var messages = await maildrop.ListAsync(None);

        File.Delete(gone);
        File.Move(renamed, renamed + "T");
        await maildrop.CommitDeletionsAsync([messages[0], messages[1]], None);
        await maildrop.CommitDeletionsAsync([messages[0], messages[1]], None);

        Assert.Equal(["1700000003.c:2,"], _maildirs.FilesIn("cur"));
    }

    [Fact]
    public async Task Message_delivered_after_listing_is_not_in_the_snapshot_and_survives_commit()
    {
        _maildirs.Put("cur", "1700000001.a:2,", Bytes("a\r\n"));
        await using (var maildrop = await _maildirs.OpenAsync())
        {
            var messages = await maildrop.ListAsync(None);
            var delivered = await MaildirDelivery.DeliverAsync(_maildirs.Root(), new MemoryStream(Bytes("late\r\n")), None);

            Assert.Same(messages, await maildrop.ListAsync(None));
            await maildrop.CommitDeletionsAsync(messages, None);

            Assert.True(File.Exists(delivered));
        }

        await using var next = await _maildirs.OpenAsync();
        var late = Assert.Single(await next.ListAsync(None));
        Assert.Equal(6, late.Size);
    }

    [Fact]
    public async Task Dispose_releases_the_lock_and_deletes_nothing()
    {
        _maildirs.Put("cur", "1700000001.a:2,", Bytes("a\r\n"));
        await using (var maildrop = await _maildirs.OpenAsync())
        {
            _ = await maildrop.ListAsync(None);
        }

        Assert.Equal(["1700000001.a:2,"], _maildirs.FilesIn("cur"));
        await using var again = await _maildirs.OpenAsync();
    }

    [Fact]
    public async Task Listing_before_open_is_an_error()
    {
        await using var maildrop = _maildirs.CreateMaildrop();

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await maildrop.ListAsync(None));
    }

    [Fact]
    public async Task Corpus_sizes_equal_the_message_writer_measure_first_from_the_body_then_from_the_index()
    {
        var corpus = Directory.GetFiles(Repository.CorpusMessages(), "*.eml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(67, corpus.Length);
        for (var i = 0; i < corpus.Length; i++)
        {
            // Named like a Maildir file without size fields, so the size must be measured.
            _maildirs.Put("cur", $"{1700000000 + i}.corpus{i}:2,", File.ReadAllBytes(corpus[i]));
        }

        var expected = corpus.Select(f => MaildropMessage.MeasureSize(File.ReadAllBytes(f))).ToArray();
        for (var login = 0; login < 2; login++)
        {
            await using var maildrop = await _maildirs.OpenAsync();
            var messages = await maildrop.ListAsync(None);
            Assert.Equal(expected, messages.Select(m => m.Size!.Value));
            for (var i = 0; i < corpus.Length; i++)
            {
                await using var stream = await maildrop.OpenMessageAsync(messages[i], None);
                using var copy = new MemoryStream();
                await stream.CopyToAsync(copy);
                Assert.True(File.ReadAllBytes(corpus[i]).AsSpan().SequenceEqual(copy.ToArray()), Path.GetFileName(corpus[i]));
            }
        }
    }

    [Fact]
    public async Task Corpus_files_006_and_007_have_the_same_size_though_stored_with_CRLF_and_LF()
    {
        var corpus = Repository.CorpusMessages();
        _maildirs.Put("cur", "1700000001.crlf:2,", File.ReadAllBytes(Directory.GetFiles(corpus, "006-*").Single()));
        _maildirs.Put("cur", "1700000002.lf:2,", File.ReadAllBytes(Directory.GetFiles(corpus, "007-*").Single()));

        await using var maildrop = await _maildirs.OpenAsync();
        var messages = await maildrop.ListAsync(None);

        Assert.Equal(messages[0].Size, messages[1].Size);
    }
}
