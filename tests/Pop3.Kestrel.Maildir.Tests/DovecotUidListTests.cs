namespace Pop3.Kestrel.Maildir.Tests;

public sealed class DovecotUidListTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    [Fact]
    public async Task Files_in_the_uidlist_get_Dovecot_UIDLs_and_others_keep_their_names()
    {
        _maildirs.Put("cur", "1275660208.M1P1.mail,S=5,W=5:2,S", "one\r\n"u8.ToArray());
        _maildirs.Put("cur", "1275660300.M2P1.mail:2,", "two\r\n"u8.ToArray());
        _maildirs.Put("cur", "1275660400.M3P1.mail:2,", "three\n"u8.ToArray());
        _maildirs.Put("cur", "1275660500.M4P1.mail:2,", "four\r\n"u8.ToArray());
        File.WriteAllText(
            Path.Combine(_maildirs.Root(), "dovecot-uidlist"),
            "3 V1275660208 N25022 G3085f01b7f11094c501100008c4a11c1\n" +
            "1 :1275660208.M1P1.mail,S=5,W=5\n" +
            "42 G0123456789abcdef P0000abcd.legacy-uidl :1275660300.M2P1.mail\n" +
            "25021 W1234 :1275660400.M3P1.mail\n");

        await using var maildrop = await _maildirs.OpenAsync();
        var messages = await maildrop.ListAsync(None);

        Assert.Equal(
            ["000000014c0907b0", "0000abcd.legacy-uidl", "000061bd4c0907b0", "1275660500.M4P1.mail"],
            messages.Select(m => m.Id));
        Assert.Equal([5L, 5L, 1234L, 6L], messages.Select(m => m.Size!.Value));
    }

    [Fact]
    public async Task Uidlist_entries_match_files_whose_flags_or_size_fields_changed()
    {
        _maildirs.Put("new", "1275660208.M1P1.mail,S=5", "one\r\n"u8.ToArray());
        File.WriteAllText(
            Path.Combine(_maildirs.Root(), "dovecot-uidlist"),
            "3 V7 N2\n" +
            "1 :1275660208.M1P1.mail:2,S\n");

        await using var maildrop = await _maildirs.OpenAsync();

        Assert.Equal("0000000100000007", Assert.Single(await maildrop.ListAsync(None)).Id);
    }

    /// <summary>
    /// A Maildir made by Dovecot 2.3.19 (<c>doveadm save</c>, which stores LF line endings and names files with W=),
    /// and the UIDL and LIST replies Dovecot's own POP3 server gave for it, before and after
    /// <c>pop3_save_uidl=yes</c> with <c>pop3_uidl_format=%v.%u</c> saved P extensions.
    /// </summary>
    [Theory]
    [InlineData(
        "3 V1795708478 N3 G24979e373e56086be36c000083ecc375\n" +
        "1 :1795708478.M932998P27875.vm,S=18,W=21\n" +
        "2 :1795708479.M46331P27889.vm,S=16,W=19\n",
        "000000016b08563e", "000000026b08563e")]
    [InlineData(
        "3 V1795708478 N3 G24979e373e56086be36c000083ecc375\n" +
        "1 P1795708478.1 :1795708478.M932998P27875.vm,S=18,W=21\n" +
        "2 P1795708478.2 :1795708479.M46331P27889.vm,S=16,W=19\n",
        "1795708478.1", "1795708478.2")]
    public async Task Uidls_and_sizes_match_what_Dovecot_served_for_the_same_Maildir(string uidList, string firstUidl, string secondUidl)
    {
        _maildirs.Put("cur", "1795708478.M932998P27875.vm,S=18,W=21:2,", "Subject: a\n\nhello\n"u8.ToArray());
        _maildirs.Put("cur", "1795708479.M46331P27889.vm,S=16,W=19:2,", "Subject: b\n\nbye\n"u8.ToArray());
        File.WriteAllText(Path.Combine(_maildirs.Root(), "dovecot-uidlist"), uidList);

        await using var maildrop = await _maildirs.OpenAsync();
        var messages = await maildrop.ListAsync(None);

        Assert.Equal([firstUidl, secondUidl], messages.Select(m => m.Id));
        Assert.Equal([21L, 19L], messages.Select(m => m.Size!.Value));
    }

    [Fact]
    public void Version_1_uidlist_is_read_like_Courier()
    {
        var uidList = DovecotUidList.Parse(new StringReader("1 1275660208 3\n2 1275660208.M1P1.mail\n"));

        Assert.NotNull(uidList);
        Assert.True(uidList.TryGet("1275660208.M1P1.mail", out var entry));
        Assert.Equal("000000024c0907b0", entry.Uidl);
        Assert.Null(entry.Size);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2 V1 N1\n1 0 :x\n")]
    [InlineData("3 Vbad N1\n")]
    public void Unknown_or_broken_header_means_no_uidlist(string text) =>
        Assert.Null(DovecotUidList.Parse(new StringReader(text)));

    [Fact]
    public void Broken_entry_lines_are_skipped()
    {
        var uidList = DovecotUidList.Parse(new StringReader("3 V1 N9\nx :a\n0 :b\n5 W1\n6 :dir/c\n7 :good\n"));

        Assert.NotNull(uidList);
        Assert.Equal(1, uidList.Count);
        Assert.True(uidList.TryGet("good", out _));
    }

    [Fact]
    public async Task Unreadable_uidlist_format_falls_back_to_file_names()
    {
        _maildirs.Put("cur", "1275660208.M1P1.mail:2,", "one\r\n"u8.ToArray());
        File.WriteAllText(Path.Combine(_maildirs.Root(), "dovecot-uidlist"), "9 future format\n");

        await using var maildrop = await _maildirs.OpenAsync();

        Assert.Equal("1275660208.M1P1.mail", Assert.Single(await maildrop.ListAsync(None)).Id);
    }
}
