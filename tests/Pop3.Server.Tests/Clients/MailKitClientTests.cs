using MailKit.Net.Pop3;
using MailKit.Security;
using Pop3.Kestrel.Sessions;
using MailKitCapabilities = MailKit.Net.Pop3.Pop3Capabilities;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Clients;

/// <summary>MailKit's <see cref="Pop3Client"/> against the real server holding real corpus messages.</summary>
public sealed class MailKitClientTests : IAsyncLifetime
{
    private readonly CorpusMailbox _mailbox = CorpusMailbox.Of(CorpusMailbox.Tricky);
    private readonly Pop3SessionRecorder _sessions = new();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _server.WithInMemoryMail(_mailbox.Store).WithSessionRecorder(_sessions);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Pop3Client> ConnectAsync()
    {
        var client = new Pop3Client();
        var endPoint = _server.Pop3EndPoint;
        await client.ConnectAsync(endPoint.Address.ToString(), endPoint.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", "secret");
        return client;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    [Fact]
    public async Task Count_sizes_and_uids_match_the_crlf_normalised_messages()
    {
        using var client = await ConnectAsync();
        Assert.Equal(_mailbox.Count, client.Count);
        Assert.Equal(Enumerable.Range(1, _mailbox.Count).Select(n => _mailbox.Expected(n).Length), await client.GetMessageSizesAsync());
        Assert.Equal(_mailbox.Ids, await client.GetMessageUidsAsync());
        Assert.True(client.Capabilities.HasFlag(MailKitCapabilities.Top | MailKitCapabilities.UIDL | MailKitCapabilities.Pipelining));
        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task GetStream_delivers_every_message_byte_for_byte()
    {
        using var client = await ConnectAsync();
        for (var i = 0; i < _mailbox.Count; i++)
        {
            BytesAssert.Equal(_mailbox.Expected(i + 1), await ReadAllAsync(await client.GetStreamAsync(i)), _mailbox.Names[i]);
        }

        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task GetStream_headers_only_is_top_with_no_body_lines()
    {
        using var client = await ConnectAsync();
        for (var i = 0; i < _mailbox.Count; i++)
        {
            BytesAssert.Equal(CorpusMailbox.Top(_mailbox.Expected(i + 1), 0), await ReadAllAsync(await client.GetStreamAsync(i, headersOnly: true)), _mailbox.Names[i]);
        }

        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task GetStreams_pipelines_retr_and_every_message_is_exact()
    {
        using var client = await ConnectAsync();
        var received = new List<byte[]>();
        foreach (var stream in await client.GetStreamsAsync(0, _mailbox.Count))
        {
            received.Add(await ReadAllAsync(stream));
        }

        Assert.Equal(_mailbox.Count, received.Count);
        for (var i = 0; i < _mailbox.Count; i++)
        {
            BytesAssert.Equal(_mailbox.Expected(i + 1), received[i], _mailbox.Names[i]);
        }

        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task DeleteMessage_then_quit_removes_exactly_that_message()
    {
        using var client = await ConnectAsync();
        await client.DeleteMessageAsync(2);
        await client.DisconnectAsync(quit: true);

        var summary = await _sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(1, summary.Deleted);
        Assert.Equal(_mailbox.Ids.Where((_, i) => i != 2), _mailbox.Store.Ids("alice"));
    }

    [Fact]
    public async Task Disconnect_without_quit_deletes_nothing()
    {
        using var client = await ConnectAsync();
        await client.DeleteMessagesAsync([0, 1, 2]);
        await client.DisconnectAsync(quit: false);

        var summary = await _sessions.NextEndAsync();
        Assert.Equal(Pop3SessionEnd.Dropped, summary.End);
        Assert.Equal(0, summary.Deleted);
        Assert.Equal(_mailbox.Ids, _mailbox.Store.Ids("alice"));

        // The maildrop lock was released with the session: a new one sees every message.
        using var again = await ConnectAsync();
        Assert.Equal(_mailbox.Count, again.Count);
        await again.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task Reset_undoes_deletions_before_quit()
    {
        using var client = await ConnectAsync();
        await client.DeleteMessageAsync(0);
        await client.ResetAsync();
        await client.DisconnectAsync(quit: true);

        Assert.Equal(0, (await _sessions.NextEndAsync()).Deleted);
        Assert.Equal(_mailbox.Ids, _mailbox.Store.Ids("alice"));
    }
}

/// <summary>All 67 corpus messages through MailKit in one session; every failing file is named.</summary>
public sealed class MailKitWholeCorpusTests : IAsyncLifetime
{
    private readonly CorpusMailbox _mailbox = CorpusMailbox.All();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _server.WithInMemoryMail(_mailbox.Store);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Every_corpus_message_arrives_byte_for_byte_with_its_listed_size()
    {
        using var client = new Pop3Client();
        await client.ConnectAsync(_server.Pop3EndPoint.Address.ToString(), _server.Pop3EndPoint.Port, SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", "secret");
        Assert.Equal(67, client.Count);
        var sizes = await client.GetMessageSizesAsync();

        var failures = new List<string>();
        for (var i = 0; i < _mailbox.Count; i++)
        {
            var expected = _mailbox.Expected(i + 1);
            if (sizes[i] != expected.Length)
            {
                failures.Add($"{_mailbox.Names[i]}: LIST size {sizes[i]}, expected {expected.Length}");
            }

            await using var stream = await client.GetStreamAsync(i);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer);
            if (BytesAssert.Difference(expected, buffer.ToArray(), _mailbox.Names[i]) is { } difference)
            {
                failures.Add(difference);
            }
        }

        await client.DisconnectAsync(quit: true);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
