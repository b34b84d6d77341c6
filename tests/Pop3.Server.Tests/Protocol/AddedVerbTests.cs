using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Protocol;

/// <summary>A verb the framework does not know, added by an application through the public API alone, over a real socket.</summary>
public sealed class AddedVerbTests
{
    [Fact]
    public async Task An_added_verb_runs_in_its_states_is_refused_in_the_others_and_is_announced_in_CAPA_where_it_runs()
    {
        await using var server = Server();
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.ReadLineAsync();

        Assert.Equal("-ERR Not allowed before login; allowed now: USER PASS APOP AUTH STLS UTF8 CAPA QUIT", await client.CommandAsync("XPING"));
        Assert.Equal("+OK Capability list follows", await client.CommandAsync("CAPA"));
        Assert.DoesNotContain("XPING\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()), StringComparison.Ordinal);

        Assert.StartsWith("+OK", await client.CommandAsync("USER alice"), StringComparison.Ordinal);
        Assert.StartsWith("+OK", await client.CommandAsync("PASS secret"), StringComparison.Ordinal);
        Assert.Equal("+OK Capability list follows", await client.CommandAsync("CAPA"));
        Assert.Contains("\r\nXPING ECHO\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()), StringComparison.Ordinal);

        // Keywords are case-insensitive (RFC 1939 §3), and the handler sees the arguments after the space.
        Assert.Equal("+OK pong alice hello there", await client.CommandAsync("xPing hello there"));
        Assert.Equal("+OK pong alice", await client.CommandAsync("XPING"));
        Assert.Equal("-ERR Unknown command", await client.CommandAsync("XPINGS"));
        Assert.Equal("+OK Logging out", await client.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task An_added_verb_that_fails_counts_towards_the_error_limit()
    {
        await using var server = Server().With("Pop3:MaxErrors", "2");
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();

        Assert.Equal("-ERR This command takes no arguments", await client.CommandAsync("XFAIL now"));
        Assert.Equal("-ERR This command takes no arguments", await client.CommandAsync("XFAIL now"));
        Assert.Equal("-ERR Too many errors, closing connection\r\n", await client.ReadToEndAsync());
    }

    [Fact]
    public async Task A_handler_waiting_on_its_token_is_released_when_the_client_hangs_up()
    {
        var waiting = new WaitingHandler();
        await using var server = Server().WithServices(services => services.AddSingleton(waiting));
        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.LoginAsync();
            await client.SendAsync("XWAIT\r\n");
            await waiting.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            client.Abort();
        }

        Assert.True(await waiting.Released.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_handler_waiting_on_its_token_is_released_when_the_host_stops_waiting_for_it()
    {
        var waiting = new WaitingHandler();
        var server = Server().With("Pop3:DrainTimeout", "00:00:00.2").WithServices(services => services.AddSingleton(waiting));
        await using (server)
        {
            await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
            await client.LoginAsync();
            await client.SendAsync("XWAIT\r\n");
            await waiting.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The host drains for Pop3:DrainTimeout, then cuts the connection: that is when the command's token fires.
            await server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(await waiting.Released.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData("RETR")]
    [InlineData("top")]
    [InlineData("X PING")]
    [InlineData("")]
    public void A_verb_that_is_built_in_or_not_a_keyword_is_refused_when_registered(string verb)
    {
        var builder = new Pop3ServerBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection());
        Assert.ThrowsAny<ArgumentException>(() => builder.AddCommand<PingHandler>(verb, Pop3CommandStates.Any));
    }

    private static Pop3ServerFactory Server()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        return new Pop3ServerFactory().WithInMemoryMail(store).WithServices(services => new Pop3ServerBuilder(services)
            .AddCommand<PingHandler>("XPING", Pop3CommandStates.Transaction, capability: "XPING ECHO")
            .AddCommand<FailingHandler>("XFAIL", Pop3CommandStates.Any)
            .AddCommand<WaitingHandler>("XWAIT", Pop3CommandStates.Transaction));
    }

    /// <summary>XPING [text]: <c>+OK pong user [text]</c>.</summary>
    private sealed class PingHandler : IPop3CommandHandler
    {
        public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
        {
            var text = arguments.IsEmpty ? "" : " " + Encoding.ASCII.GetString(arguments.Span);
            context.WriteAscii("+OK pong " + context.User + text);
            return ValueTask.FromResult(Pop3CommandResult.Completed);
        }
    }

    private sealed class FailingHandler : IPop3CommandHandler
    {
        public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
        {
            context.Write(Pop3Replies.NoArguments);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }
    }

    /// <summary>XWAIT: waits until its token fires, then says the connection is to be closed.</summary>
    private sealed class WaitingHandler : IPop3CommandHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Released.TrySetResult(true);
            }

            return Pop3CommandResult.Close;
        }
    }
}
