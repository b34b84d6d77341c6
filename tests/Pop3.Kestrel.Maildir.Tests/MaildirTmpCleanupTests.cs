using Microsoft.Extensions.Time.Testing;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>tmp/ hygiene: files abandoned for more than 36 hours go, younger ones (maybe being written) stay.</summary>
public sealed class MaildirTmpCleanupTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    private string TmpFile(string root, string name, DateTimeOffset lastWrite)
    {
        var path = Path.Combine(root, "tmp", name);
        File.WriteAllText(path, "partial");
        File.SetLastWriteTimeUtc(path, lastWrite.UtcDateTime);
        return path;
    }

    [Fact]
    public void Only_files_last_written_more_than_36_hours_ago_are_removed()
    {
        var root = _maildirs.Root();
        MaildirDirectory.Ensure(root);
        var older = TmpFile(root, "older", Now - TimeSpan.FromHours(36) - TimeSpan.FromSeconds(1));
        var boundary = TmpFile(root, "boundary", Now - TimeSpan.FromHours(36));
        var younger = TmpFile(root, "younger", Now - TimeSpan.FromHours(35));
        var fresh = TmpFile(root, "fresh", Now);
        Directory.CreateDirectory(Path.Combine(root, "tmp", "folder"));
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "tmp", "folder"), (Now - TimeSpan.FromDays(10)).UtcDateTime);

        Assert.Equal(1, MaildirTmpCleanup.Run(root, Now));

        Assert.False(File.Exists(older));
        Assert.True(File.Exists(boundary), "a file exactly 36 hours old is not yet abandoned");
        Assert.True(File.Exists(younger));
        Assert.True(File.Exists(fresh));
        Assert.True(Directory.Exists(Path.Combine(root, "tmp", "folder")), "only files are removed");
    }

    [Fact]
    public void A_maildir_without_tmp_is_left_alone()
    {
        Directory.CreateDirectory(_maildirs.Root());
        Assert.Equal(0, MaildirTmpCleanup.Run(_maildirs.Root(), Now));
        Assert.False(Directory.Exists(Path.Combine(_maildirs.Root(), "tmp")));
    }

    [Fact]
    public async Task Opening_a_maildir_removes_abandoned_files_and_keeps_young_ones()
    {
        var root = _maildirs.Root();
        MaildirDirectory.Ensure(root);
        var now = DateTimeOffset.UtcNow;
        var abandoned = TmpFile(root, "abandoned", now - TimeSpan.FromHours(37));
        var writing = TmpFile(root, "writing", now - TimeSpan.FromHours(1));

        await using var maildrop = _maildirs.CreateMaildrop();
        Assert.Equal(Pop3.Kestrel.Maildrops.MaildropOpenStatus.Opened, await maildrop.OpenAsync("alice", CancellationToken.None));

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(writing));
    }

    [Fact]
    public async Task Delivery_cleans_tmp_at_most_once_an_hour_per_maildir()
    {
        var root = _maildirs.Root();
        MaildirDirectory.Ensure(root);
        var time = new FakeTimeProvider(Now);
        var first = TmpFile(root, "first", Now - TimeSpan.FromHours(40));

        await MaildirDelivery.DeliverAsync(root, new MemoryStream("a\r\n"u8.ToArray()), time, CancellationToken.None);
        Assert.False(File.Exists(first));

        // Within the hour the folder is not scanned again.
        var second = TmpFile(root, "second", Now - TimeSpan.FromHours(40));
        time.Advance(TimeSpan.FromMinutes(59));
        await MaildirDelivery.DeliverAsync(root, new MemoryStream("b\r\n"u8.ToArray()), time, CancellationToken.None);
        Assert.True(File.Exists(second));

        time.Advance(TimeSpan.FromMinutes(1));
        await MaildirDelivery.DeliverAsync(root, new MemoryStream("c\r\n"u8.ToArray()), time, CancellationToken.None);
        Assert.False(File.Exists(second));
        Assert.Equal(3, _maildirs.FilesIn("new").Length);
    }
}
