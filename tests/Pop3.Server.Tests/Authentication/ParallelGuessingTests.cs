using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;
using Pop3.Server.Tests.Operations;
using Xunit.Abstractions;

namespace Pop3.Server.Tests.Authentication;

/// <summary>Password guessing over real sockets, many connections at once from one address, server defaults.</summary>
public sealed class ParallelGuessingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Fifty_connections_guessing_twice_then_sending_the_right_password_never_log_in()
    {
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        // The failure delay is the server's default (2 s, doubling); only its ceiling is lowered to keep the test
        // short. It is what keeps the right password out: a connection waits after each failure, and meanwhile the
        // other connections' first guesses fill the windows, so its third guess is refused unchecked.
        await using var server = new Pop3ServerFactory()
            .With("Pop3:Authentication:FailureDelay", "00:00:02")
            .With("Pop3:Authentication:MaxFailureDelay", "00:00:04")
            .WithInMemoryMail(store);
        _ = server.Pop3EndPoint;
        using var metrics = new MeasurementsOf(server);

        var clients = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => RawPop3Client.ConnectAsync(server.Pop3EndPoint)));
        try
        {
            await Task.WhenAll(clients.Select(c => c.ReadLineAsync()));

            // Each connection writes its whole attempt at once: two guesses, then the right password.
            var transcripts = await Task.WhenAll(clients.Select(async (c, i) =>
            {
                await c.SendAsync($"USER alice\r\nPASS wrong{i}a\r\nUSER alice\r\nPASS wrong{i}b\r\nUSER alice\r\nPASS secret\r\nQUIT\r\n");
                return await c.ReadToEndAsync();
            }));

            var loggedIn = transcripts.Count(t => t.Contains("+OK Logged in", StringComparison.Ordinal));
            var evaluated = metrics.Sum("pop3.guesses.evaluated");
            var refused = metrics.Sum("pop3.guesses.refused");
            output.WriteLine($"logged in {loggedIn}, guesses checked {evaluated}, refused unchecked {refused}");
            Assert.Equal(0, loggedIn);
            Assert.InRange(evaluated, 1, 10);
            Assert.Equal(150, evaluated + refused);
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
