namespace Pop3.Kestrel.Maildir.Tests;

public sealed class MaildirMessageStreamTests : IDisposable
{
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    private string File(int length)
    {
        var content = new byte[length];
        new Random(length).NextBytes(content);
        return _maildirs.Put("cur", $"1700000000.{length}:2,", content);
    }

    [Theory]
    [InlineData(0, 64)]
    [InlineData(1, 64)]
    [InlineData(4096, 65536)]
    [InlineData(4096, 4096)]
    [InlineData(65536, 65536)]
    [InlineData(200_000, 65536)]
    [InlineData(200_000, 7)]
    public async Task Reads_the_whole_file_in_order_whatever_the_buffer(int length, int bufferSize)
    {
        var path = File(length);
        await using var stream = MaildirMessageStream.Open(path);
        using var copy = new MemoryStream();
        var buffer = new byte[bufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            copy.Write(buffer, 0, read);
        }

        Assert.Equal(await System.IO.File.ReadAllBytesAsync(path), copy.ToArray());
        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.Equal(length, stream.Position);
        Assert.Equal(length, stream.Length);
    }

    [Fact]
    public async Task A_short_read_is_the_end_even_if_the_file_grows_afterwards()
    {
        var path = File(10);
        await using var stream = MaildirMessageStream.Open(path);
        var buffer = new byte[64];

        Assert.Equal(10, await stream.ReadAsync(buffer));
        await System.IO.File.AppendAllTextAsync(path, "more");

        Assert.Equal(0, await stream.ReadAsync(buffer));
    }

    [Fact]
    public async Task A_cancelled_read_is_cancelled_not_performed()
    {
        await using var stream = MaildirMessageStream.Open(File(10));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await stream.ReadAsync(new byte[64], new CancellationToken(true)));
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public async Task A_file_deleted_while_open_is_still_read_whole()
    {
        var path = File(5000);
        var expected = await System.IO.File.ReadAllBytesAsync(path);
        await using var stream = MaildirMessageStream.Open(path);
        System.IO.File.Delete(path);

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(expected, copy.ToArray());
    }

    [Fact]
    public void A_missing_file_throws_file_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => MaildirMessageStream.Open(Path.Combine(_maildirs.Folder, "nope")));
    }
}
