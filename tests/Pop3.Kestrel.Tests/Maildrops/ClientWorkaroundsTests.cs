using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;
using Pop3.Kestrel.Testing;

namespace Pop3.Kestrel.Tests.Maildrops;

/// <summary>outlook-no-nuls and oe-ns-eoh: the bytes a client gets, and sizes that match them.</summary>
public sealed class ClientWorkaroundsTests
{
    [Theory]
    [InlineData("Subject: a\n\nx\0y\n", "Subject: a\n\nx\u0080y\n", "outlook-no-nuls")]
    [InlineData("Subject: a\0\n\n\0\0", "Subject: a\u0080\n\n\u0080\u0080", "outlook-no-nuls")]
    [InlineData("Subject: a\nFrom: b\n", "Subject: a\nFrom: b\n\r\n", "oe-ns-eoh")]
    [InlineData("Subject: a", "Subject: a\r\n\r\n", "oe-ns-eoh")]
    [InlineData("Subject: a\r\n\r\nbody", "Subject: a\r\n\r\nbody", "oe-ns-eoh")]
    [InlineData("Subject: a\n\n", "Subject: a\n\n", "oe-ns-eoh")]
    [InlineData("Subject: a\n\r\n", "Subject: a\n\r\n", "oe-ns-eoh")]
    [InlineData("Subject: a\n \r\nb\n", "Subject: a\n \r\nb\n\r\n", "oe-ns-eoh")]
    [InlineData("Subject: \0\n", "Subject: \u0080\n\r\n", "outlook-no-nuls, oe-ns-eoh")]
    [InlineData("", "", "oe-ns-eoh")]
    public async Task Messages_are_rewritten_and_sized_as_sent(string stored, string expected, string names)
    {
        var store = new InMemoryMailStore();
        store.Add("alice", Latin1(stored));
        await using var maildrop = new ClientWorkaroundsMaildrop(new InMemoryMaildrop(store), ClientWorkaroundsSetting.Parse(names));
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("alice", CancellationToken.None));

        var view = await Pop3Maildrop.LoadAsync(maildrop, "alice", new Pop3MessageSizeCache(), CancellationToken.None);
        await using var stream = await view.OpenAsync(1, CancellationToken.None);
        var sent = await ReadOneByteAtATimeAsync(stream);

        Assert.Equal(Latin1(expected), sent);
        Assert.Equal(Pop3MessageWriter.Measure(sent), view.SizeOf(1));
    }

    [Fact]
    public void Unknown_names_stop_start_up_naming_the_key()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ClientWorkaroundsSetting.Parse("outlook-no-nuls delay-newmail"));
        Assert.Equal("Pop3:ClientWorkarounds: unknown workaround 'delay-newmail'; known: outlook-no-nuls, oe-ns-eoh.", error.Message);
    }

    private static byte[] Latin1(string text) => System.Text.Encoding.Latin1.GetBytes(text);

    private static async Task<byte[]> ReadOneByteAtATimeAsync(Stream stream)
    {
        // One byte per read puts every line end across a chunk boundary.
        var output = new MemoryStream();
        var buffer = new byte[1];
        while (await stream.ReadAsync(buffer) is > 0 and var n)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }
}

/// <summary>The in-memory store behind oe-ns-eoh still keeps the maildrop contract (sizes left to the framework).</summary>
public sealed class ClientWorkaroundsConformanceTests : MaildropConformanceTests
{
    private readonly InMemoryMailStore _store = new();

    protected override ValueTask<IMaildrop> CreateMaildropAsync() =>
        ValueTask.FromResult<IMaildrop>(new ClientWorkaroundsMaildrop(new InMemoryMaildrop(_store), Pop3ClientWorkarounds.OeNsEoh));

    protected override ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        _store.Add(mailbox, message);
        return ValueTask.CompletedTask;
    }
}
