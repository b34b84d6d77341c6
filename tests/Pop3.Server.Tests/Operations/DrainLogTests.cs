using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace Pop3.Server.Tests.Operations;

/// <summary>A drain that runs out of time and cuts a RETR says whose message it cut and how far it got.</summary>
[Collection(LogCaptureCollection.Name)]
public sealed class DrainLogTests
{
    [Fact]
    public async Task A_RETR_cut_by_the_drain_timeout_is_logged_with_user_message_and_octets_sent_of_total()
    {
        var logs = new LogCapture();
        var message = LargeMessage(16 * 1024 * 1024);
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: small\r\n\r\nfirst\r\n"u8.ToArray());
        store.Add("alice", message);
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store)
            .With("Pop3:DrainTimeout", "00:00:00.200")
            .With("Serilog:Console:Format", "none")
            .WithServices(s => s.AddSingleton<ILogEventSink>(logs));
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();

        // A whole RETR first, which must not be reported; then one the client never reads, stuck on backpressure.
        Assert.StartsWith("+OK", await client.CommandAsync("RETR 1"));
        await client.ReadMultiLineBodyAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("RETR 2"));
        await server.Services.GetRequiredService<IHost>().StopAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var cut = await logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith("Shutdown cut RETR", StringComparison.Ordinal));
        Assert.Equal(LogEventLevel.Warning, cut.Level);
        Assert.Equal("2", cut.Properties["Number"].ToString());
        Assert.Equal("\"alice\"", cut.Properties["User"].ToString());
        Assert.Equal(message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Properties["Total"].ToString());
        var sent = long.Parse(cut.Properties["Sent"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(sent, 1, message.Length - 1);
        Assert.Single(logs.Events, e => e.MessageTemplate.Text.StartsWith("Shutdown cut RETR", StringComparison.Ordinal));
        Assert.Equal(2, store.Ids("alice").Count);
    }

    private static byte[] LargeMessage(int size)
    {
        var header = "Subject: large\r\n\r\n"u8.ToArray();
        var line = "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrstuvwxyz\r\n"u8.ToArray();
        var message = new byte[header.Length + (size / line.Length * line.Length)];
        header.CopyTo(message, 0);
        for (var at = header.Length; at + line.Length <= message.Length; at += line.Length)
        {
            line.CopyTo(message, at);
        }

        return message;
    }
}
