using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

/// <summary>A failed AUTH is counted in <c>pop3.commands</c> as failed, like a failed PASS, however the exchange went.</summary>
public sealed class AuthMetricsTests
{
    [Fact]
    public async Task Failed_AUTH_is_counted_as_failed_and_a_successful_one_as_ok()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new InMemoryMailStore());
        _ = server.Pop3EndPoint;
        using var metrics = new MeasurementsOf(server);
        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.ReadLineAsync();

            // Credentials on a continuation line, wrong.
            Assert.Equal("+ ", await client.CommandAsync("AUTH PLAIN"));
            Assert.StartsWith("-ERR", await client.CommandAsync(Convert.ToBase64String("\0bob\0wrong"u8)));

            // An exchange the client cancels.
            Assert.Equal("+ ", await client.CommandAsync("AUTH PLAIN"));
            Assert.StartsWith("-ERR", await client.CommandAsync("*"));
            await client.CommandAsync("QUIT");
            await client.ReadToEndAsync();
        }

        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            await client.ReadLineAsync();

            // Credentials in the initial response, wrong; then right on a continuation line.
            Assert.StartsWith("-ERR", await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0alice\0wrong"u8)));
            Assert.Equal("+ ", await client.CommandAsync("AUTH PLAIN"));
            Assert.StartsWith("+OK", await client.CommandAsync(Convert.ToBase64String("\0bob\0hunter 2"u8)));
            await client.CommandAsync("QUIT");
            await client.ReadToEndAsync();
        }

        await metrics.WaitForCountAsync("pop3.sessions", 2);
        Assert.Equal(3, metrics.Sum("pop3.commands", ("pop3.command", "AUTH"), ("pop3.result", "failed")));
        Assert.Equal(1, metrics.Sum("pop3.commands", ("pop3.command", "AUTH"), ("pop3.result", "ok")));

        // The cancelled exchange is a failed login attempt too.
        Assert.Equal(3, metrics.Sum("pop3.logins", ("pop3.mechanism", "PLAIN"), ("pop3.result", "failed")));
    }
}
