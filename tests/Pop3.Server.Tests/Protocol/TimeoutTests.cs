using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Protocol;

/// <summary>The inactivity timeout on a real socket, with a short setting.</summary>
public sealed class TimeoutTests
{
    [Fact]
    public async Task An_idle_session_is_logged_out_and_its_deletions_are_not_committed()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: keep me\r\n\r\nbody\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store).With("Pop3:CommandTimeout", "00:00:01");
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("DELE 1"));

        // The server's close is the signal: read until it hangs up.
        Assert.Equal("-ERR Autologout; idle for too long\r\n", await client.ReadToEndAsync());
        Assert.Single(store.Ids("alice"));
    }
}
