using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Protocol;

public sealed class SessionHooksTests
{
    [Fact]
    public async Task Hooks_hear_of_the_connection_and_of_its_end_with_the_summary()
    {
        var hooks = new RecordingHooks();
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store).WithServices(s => s.AddSingleton<IPop3SessionHooks>(hooks));
        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.LoginAsync();
            await client.CommandAsync("RETR 1");
            await client.ReadMultiLineBodyAsync();
            await client.CommandAsync("QUIT");
            await client.ReadToEndAsync();
        }

        var summary = await hooks.Ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["connected"], hooks.Events);
        Assert.Equal("alice", summary.User);
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal(1, summary.Retrieved);
        Assert.Equal(21, summary.RetrievedBytes);
    }

    private sealed class RecordingHooks : IPop3SessionHooks
    {
        public ConcurrentQueue<string> Events { get; } = new();

        public TaskCompletionSource<Pop3SessionSummary> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask OnConnectedAsync(Pop3ConnectionInfo connection, CancellationToken cancellationToken)
        {
            Events.Enqueue("connected");
            return ValueTask.CompletedTask;
        }

        public ValueTask OnDisconnectedAsync(Pop3ConnectionInfo connection, Pop3SessionSummary summary)
        {
            Ended.TrySetResult(summary);
            return ValueTask.CompletedTask;
        }
    }
}
