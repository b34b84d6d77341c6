using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

public sealed class InlineSocketIoTests
{
    [Fact]
    public async Task The_server_runs_transport_and_sessions_inline_by_default_and_still_serves_mail()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store);
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);

        Assert.True(server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
        Assert.Equal("1", Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"));
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        Assert.StartsWith("+OK", await client.CommandAsync("USER alice"));
        Assert.StartsWith("+OK", await client.CommandAsync("PASS secret"));
        Assert.StartsWith("+OK", await client.CommandAsync("RETR 1"));
        Assert.Contains("hello", System.Text.Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));
        Assert.StartsWith("+OK", await client.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task Pop3_Sockets_Inline_false_leaves_Kestrel_scheduling_alone()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new InMemoryMailStore()).With("Pop3:Sockets:Inline", "false");
        _ = server.Pop3EndPoint;

        Assert.False(server.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }
}
