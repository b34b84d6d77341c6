using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace Pop3.Server.Tests.Operations;

public sealed class LoggingTests
{
    [Fact]
    public async Task Protocol_trace_of_a_full_session_shows_commands_and_never_a_secret()
    {
        var logs = new LogCapture();
        var store = new InMemoryMailStore();
        store.Add("alice", "Subject: x\r\n\r\nhello\r\n"u8.ToArray());
        await using var server = new Pop3ServerFactory().WithInMemoryMail(store)
            .With("Serilog:MinimumLevel:Default", "Verbose")
            .With("Serilog:MinimumLevel:Override:Pop3.Kestrel", "Verbose")
            .With("Serilog:MinimumLevel:Override:Pop3.Kestrel.Protocol.Trace", "Verbose")
            .With("Serilog:Console:Format", "none")
            .WithServices(s => s.AddSingleton<ILogEventSink>(logs));
        string clientAddress;
        await using (var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint))
        {
            clientAddress = ":" + client.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await client.ReadLineAsync();
            await client.CommandAsync("USER alice");
            Assert.StartsWith("-ERR", await client.CommandAsync("PASS wrong-secret-1"));
            await client.CommandAsync("APOP alice c4c9334bac560ecc979e58001b3e22fb");
            await client.CommandAsync("AUTH PLAIN " + Convert.ToBase64String("\0alice\0sasl-secret-2"u8));
            await client.CommandAsync("USER alice");
            Assert.StartsWith("+OK", await client.CommandAsync("PASS secret"));
            await client.CommandAsync("RETR 1");
            await client.ReadMultiLineBodyAsync();
            await client.CommandAsync("QUIT");
            await client.ReadToEndAsync();
        }

        // Only this connection's events: servers of tests running in parallel log too.
        bool Ours(LogEvent e) => e.Properties.Values.Any(v => v.ToString().Contains(clientAddress + "\"", StringComparison.Ordinal));
        var ended = await logs.WaitForAsync(e => Ours(e) && e.MessageTemplate.Text.StartsWith("Disconnected", StringComparison.Ordinal));
        var lines = logs.Lines();
        var all = string.Join('\n', lines);
        Assert.DoesNotContain("wrong-secret-1", all, StringComparison.Ordinal);
        Assert.DoesNotContain("c4c9334bac560ecc979e58001b3e22fb", all, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String("\0alice\0sasl-secret-2"u8), all, StringComparison.Ordinal);
        Assert.DoesNotContain("secret\"", all, StringComparison.Ordinal);
        Assert.DoesNotContain("PASS secret", all, StringComparison.Ordinal);

        var trace = logs.Events.Where(e => Ours(e) && e.Level == LogEventLevel.Verbose && IsCategory(e, Pop3ProtocolTrace.Category))
            .Select(e => e.RenderMessage()).ToList();
        Assert.Equal(
            ["C: \"USER alice\"", "C: \"PASS ****\"", "C: \"APOP alice ****\"", "C: \"AUTH PLAIN ****\"", "C: \"USER alice\"", "C: \"PASS ****\"", "C: \"RETR 1\"", "C: \"QUIT\""],
            trace.Where(line => line.StartsWith("C:", StringComparison.Ordinal)));

        // The first line of each reply, the greeting included; never a line of the message.
        var replies = trace.Where(line => line.StartsWith("S:", StringComparison.Ordinal)).ToList();
        Assert.Equal(9, replies.Count);
        Assert.Equal("S: \"+OK Pop3.Kestrel ready\"", replies[0]);
        Assert.StartsWith("S: \"-ERR", replies[2], StringComparison.Ordinal);
        Assert.StartsWith("S: \"+OK Logged in", replies[6], StringComparison.Ordinal);
        Assert.DoesNotContain(trace, line => line.Contains("hello", StringComparison.Ordinal) || line.Contains("Subject", StringComparison.Ordinal));

        // The summary line, Dovecot style, with the user in the scope once known.
        Assert.Equal("\"alice\"", ended.Properties["User"].ToString());
        Assert.Equal("Quit", ended.Properties["End"].ToString());
        Assert.Equal("1", ended.Properties["Retrieved"].ToString());
        Assert.True(ended.Properties.ContainsKey("ConnectionId"));
        Assert.True(ended.Properties.ContainsKey("RemoteEndPoint"));
    }

    [Theory]
    [InlineData("PASS hunter 2", false, "PASS ****")]
    [InlineData("pass x", false, "pass ****")]
    [InlineData("PASS", false, "PASS")]
    [InlineData("APOP bob 0123456789abcdef", false, "APOP bob ****")]
    [InlineData("AUTH", false, "AUTH")]
    [InlineData("AUTH XOAUTH2 dXNlcj1ib2IBYXV0aD1CZWFyZXIgdG9rZW4BAQ==", false, "AUTH XOAUTH2 ****")]
    [InlineData("AHVzZXIAcGFzcw==", true, "****")]
    [InlineData("*", true, "*")]
    [InlineData("USER al\u0001ice", false, "USER al\\x01ice")]
    [InlineData("TOP 1 10", false, "TOP 1 10")]
    public void Redaction_replaces_every_credential(string line, bool continuation, string logged) =>
        Assert.Equal(logged, Pop3ProtocolTrace.Redact(Encoding.Latin1.GetBytes(line), continuation));

    [Fact]
    public void Json_console_format_is_selectable_and_a_wrong_one_names_the_key()
    {
        using var json = new Pop3ServerFactory().WithInMemoryMail(new()).With("Serilog:Console:Format", "json");
        _ = json.Pop3EndPoint;

        using var wrong = new Pop3ServerFactory().WithInMemoryMail(new()).With("Serilog:Console:Format", "yaml");
        var error = Assert.ThrowsAny<Exception>(() => wrong.Pop3EndPoint);
        Assert.Contains("Serilog:Console:Format", error.ToString(), StringComparison.Ordinal);
    }

    private static bool IsCategory(LogEvent e, string category) =>
        e.Properties.TryGetValue("SourceContext", out var source) && source.ToString() == $"\"{category}\"";
}
