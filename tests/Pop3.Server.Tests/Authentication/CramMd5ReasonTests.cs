using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.UsersFile;
using Pop3.Server.Tests.Infrastructure;
using Pop3.Server.Tests.Operations;
using Serilog.Core;
using Serilog.Events;

namespace Pop3.Server.Tests.Authentication;

/// <summary>
/// A users file mixing <c>{PLAIN}</c> and crypt entries offers CRAM-MD5, which the crypt users cannot use: the client
/// gets the same -ERR as for a wrong password, and the log says why, naming the user, so the operator can act.
/// </summary>
[Collection(LogCaptureCollection.Name)]
public sealed class CramMd5ReasonTests : IAsyncLifetime
{
    private const string Reason = "CRAM-MD5 login failed: no plaintext-equivalent secret stored for user";
    private readonly string _directory = Directory.CreateTempSubdirectory("pop3-cram-md5-").FullName;
    private readonly LogCapture _logs = new();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        var users = Path.Combine(_directory, "users");
        File.WriteAllLines(users, ["alice:{PLAIN}secret", "dave:" + Pop3PasswordSchemes.Hash("SHA512-CRYPT", "secret")]);
        _server
            .With("Serilog:Console:Format", "none")
            .WithServices(services =>
            {
                services.AddSingleton<ILogEventSink>(_logs);
                var builder = new Pop3ServerBuilder(services).AddInMemoryMaildrop();
                services.AddSingleton(new InMemoryMailStore());
                builder.AddUsersFile(options => options.UsersFile = users);
            });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> CramMd5Async(string user)
    {
        await using var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint);
        await client.ReadLineAsync();
        var challenge = await client.CommandAsync("AUTH CRAM-MD5");
        Assert.StartsWith("+ ", challenge, StringComparison.Ordinal);

        // Any digest will do: without a secret to check it against, none can succeed.
        var reply = await client.CommandAsync(Convert.ToBase64String(Encoding.ASCII.GetBytes(user + " " + new string('0', 32))));
        await client.CommandAsync("QUIT");
        return reply;
    }

    [Fact]
    public async Task A_crypt_user_trying_CRAM_MD5_is_refused_and_the_log_says_why()
    {
        await using (var client = await RawPop3Client.ConnectAsync(_server.Pop3EndPoint))
        {
            await client.ReadLineAsync();
            Assert.StartsWith("+OK", await client.CommandAsync("CAPA"));
            Assert.Contains("SASL PLAIN LOGIN CRAM-MD5", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()), StringComparison.Ordinal);
        }

        Assert.StartsWith("-ERR", await CramMd5Async("dave"));

        var reason = await _logs.WaitForAsync(e => e.MessageTemplate.Text.StartsWith(Reason, StringComparison.Ordinal));
        Assert.Equal(LogEventLevel.Warning, reason.Level);
        Assert.Equal(
            "CRAM-MD5 login failed: no plaintext-equivalent secret stored for user \"dave\" (the users file has \"SHA512-CRYPT\"); " +
            "CRAM-MD5 needs a {PLAIN} or {CRAM-MD5} entry (doveadm pw -s CRAM-MD5), or leave CRAM-MD5 out of Pop3:Authentication:Mechanisms",
            reason.RenderMessage());
    }

    [Fact]
    public async Task Wrong_digests_and_unknown_users_give_no_reason_line()
    {
        Assert.StartsWith("-ERR", await CramMd5Async("alice"));
        Assert.StartsWith("-ERR", await CramMd5Async("nobody"));

        // The summary line of each session is logged after its failure: every event of both is in once both are.
        await _logs.WaitForAsync(_ => _logs.Events.Count(e => e.MessageTemplate.Text.StartsWith("Disconnected", StringComparison.Ordinal)) >= 2);
        Assert.DoesNotContain(_logs.Events, e => e.MessageTemplate.Text.StartsWith(Reason, StringComparison.Ordinal));
    }
}
