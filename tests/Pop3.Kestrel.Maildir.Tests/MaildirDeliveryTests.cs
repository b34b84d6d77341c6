using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

public sealed partial class MaildirDeliveryTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    [GeneratedRegex(@"^(?<time>\d+)\.M(?<micros>\d+)P(?<pid>\d+)Q(?<q>\d+)\.(?<host>[^,:/]+),S=(?<s>\d+),W=(?<w>\d+)$")]
    private static partial Regex DeliveredName();

    [Fact]
    public async Task Delivery_stores_the_bytes_unchanged_in_new_with_S_and_W_fields()
    {
        var content = "Subject: hi\n\n.line\nno final newline"u8.ToArray();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123).AddTicks(4560));

        var path = await MaildirDelivery.DeliverAsync(_maildirs.Root(), new MemoryStream(content), time, None);

        Assert.Equal(Path.Combine(_maildirs.Root(), "new"), Path.GetDirectoryName(path));
        var match = DeliveredName().Match(Path.GetFileName(path));
        Assert.True(match.Success, Path.GetFileName(path));
        Assert.Equal("1700000000", match.Groups["time"].Value);
        Assert.Equal("123456", match.Groups["micros"].Value);
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), match.Groups["pid"].Value);
        Assert.Equal(content.Length.ToString(CultureInfo.InvariantCulture), match.Groups["s"].Value);
        Assert.Equal(MaildropMessage.MeasureSize(content).ToString(CultureInfo.InvariantCulture), match.Groups["w"].Value);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Empty(_maildirs.FilesIn("tmp"));
    }

    [Fact]
    public async Task Deliveries_in_the_same_microsecond_get_different_names()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

        var first = await MaildirDelivery.DeliverAsync(_maildirs.Root(), new MemoryStream("a\r\n"u8.ToArray()), time, None);
        var second = await MaildirDelivery.DeliverAsync(_maildirs.Root(), new MemoryStream("a\r\n"u8.ToArray()), time, None);

        Assert.NotEqual(first, second);
        Assert.Equal(2, _maildirs.FilesIn("new").Length);
    }

    [Fact]
    public async Task Every_corpus_message_is_delivered_byte_for_byte_and_listed_with_its_POP3_size()
    {
        var corpus = Directory.GetFiles(Repository.CorpusMessages(), "*.eml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(67, corpus.Length);
        var delivered = new Dictionary<string, string>();
        foreach (var file in corpus)
        {
            await using var source = File.OpenRead(file);
            delivered[file] = await MaildirDelivery.DeliverAsync(_maildirs.Root(), source, None);
        }

        foreach (var (file, path) in delivered)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(path)), Path.GetFileName(file));
            Assert.EndsWith(
                string.Create(CultureInfo.InvariantCulture, $",S={bytes.Length},W={MaildropMessage.MeasureSize(bytes)}"),
                Path.GetFileName(path));
        }

        await using var maildrop = await _maildirs.OpenAsync();
        var sizes = (await maildrop.ListAsync(None)).Select(m => m.Size!.Value).Order();
        Assert.Equal(corpus.Select(f => MaildropMessage.MeasureSize(File.ReadAllBytes(f))).Order(), sizes);

        // Every size came from a W= field, so nothing needed measuring or caching.
        Assert.False(File.Exists(Path.Combine(_maildirs.Root(), "pop3-kestrel.sizes")));
    }
}
