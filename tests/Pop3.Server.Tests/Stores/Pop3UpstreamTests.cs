using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Upstream;
using Pop3.Kestrel.Testing;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>The server as a gateway in front of a second instance of itself, speaking POP3 upstream.</summary>
public sealed class Pop3UpstreamTests : IAsyncLifetime
{
    private const string First = "Subject: one\r\n\r\nbody one\r\n";
    private const string Second = "Subject: two\n\n.starts with a dot\n.\nlast line without newline";

    private readonly InMemoryMailStore _upstreamMail = new();
    private readonly Pop3ServerFactory _upstream = new();
    private Pop3ServerFactory _gateway = null!;

    public Task InitializeAsync()
    {
        _upstreamMail.Add("alice", Encoding.ASCII.GetBytes(First));
        _upstreamMail.Add("alice", Encoding.ASCII.GetBytes(Second));
        _upstreamMail.Add("bob", Encoding.ASCII.GetBytes("Subject: for bob\n\nhi\n"));
        _upstream.WithInMemoryMail(_upstreamMail);
        _gateway = GatewayTo(_upstream);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task List_uidl_retr_and_top_are_what_the_upstream_serves()
    {
        string[] commands = ["STAT", "LIST", "UIDL", "RETR 2", "TOP 2 1", "TOP 1 0", "LIST 2", "UIDL 1"];
        Assert.Equal(await TranscriptAsync(_upstream, commands), await TranscriptAsync(_gateway, commands));
        Assert.Contains($"1 {_upstreamMail.Ids("alice")[0]}\r\n", await TranscriptAsync(_gateway, ["UIDL"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_large_message_arrives_byte_exact_and_a_top_read_in_part_leaves_the_session_in_step()
    {
        var large = LargeMessage(24 * 1024 * 1024);
        _upstreamMail.Add("alice", large);

        // TOP reads only the head of the upstream's RETR; the next reply must still be the next command's.
        string[] commands = ["TOP 3 2", "RETR 1", "LIST 3"];
        Assert.Equal(await TranscriptAsync(_upstream, commands), await TranscriptAsync(_gateway, commands));

        using var client = new MailKit.Net.Pop3.Pop3Client();
        await client.ConnectAsync("127.0.0.1", _gateway.Pop3EndPoint.Port, MailKit.Security.SecureSocketOptions.None);
        await client.AuthenticateAsync("alice", "secret");
        await using (var received = await client.GetStreamAsync(2))
        {
            var bytes = new MemoryStream();
            await received.CopyToAsync(bytes);
            var got = bytes.ToArray();
            var differsAt = large.AsSpan().CommonPrefixLength(got);
            Assert.True(
                large.AsSpan().SequenceEqual(got),
                $"{got.Length} bytes received for {large.Length} sent; first difference at offset {differsAt}: sent "
                + $"'{Encoding.ASCII.GetString(large.AsSpan(differsAt, Math.Min(40, large.Length - differsAt)))}', received "
                + $"'{Encoding.ASCII.GetString(got.AsSpan(differsAt, Math.Min(40, got.Length - differsAt)))}'");
        }

        await using (var small = await client.GetStreamAsync(0))
        {
            Assert.Equal(First, await new StreamReader(small, Encoding.ASCII).ReadToEndAsync());
        }

        await client.DisconnectAsync(quit: true);
    }

    [Theory]
    [InlineData("Implicit")]
    [InlineData("StartTls")]
    public async Task The_upstream_is_reached_over_tls(string tls)
    {
        using var certificates = new TestCertificates();
        certificates.Write();
        await using var upstream = new Pop3ServerFactory().WithInMemoryMail(_upstreamMail).WithTls(certificates);
        var port = tls == "Implicit" ? upstream.EndPointOf("Secure").Port : upstream.Pop3EndPoint.Port;
        await using var gateway = GatewayTo(upstream)
            .With("Pop3:Upstream:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Pop3:Upstream:Tls", tls)
            .With("Pop3:Upstream:AcceptAnyCertificate", "true");

        string[] commands = ["STAT", "UIDL", "RETR 2"];
        Assert.Equal(await TranscriptAsync(_upstream, commands), await TranscriptAsync(gateway, commands));
    }

    [Fact]
    public async Task An_upstream_certificate_that_is_not_trusted_makes_the_mailbox_unavailable()
    {
        using var certificates = new TestCertificates();
        certificates.Write();
        await using var upstream = new Pop3ServerFactory().WithInMemoryMail(_upstreamMail).WithTls(certificates);
        await using var gateway = GatewayTo(upstream).With("Pop3:Upstream:Tls", "StartTls");

        Assert.StartsWith("-ERR [SYS/TEMP]", await LoginReplyAsync(gateway, "alice", "secret"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletions_reach_the_upstream_only_at_update()
    {
        var dropped = await RawPop3Client.ConnectAsync(_gateway.Pop3EndPoint);
        await dropped.LoginAsync();
        Assert.Equal("+OK Marked to be deleted", await dropped.CommandAsync("DELE 1"));
        dropped.Abort();
        await dropped.DisposeAsync();

        // Whatever the gateway did with the dropped session, the upstream still has both messages.
        await WaitUntilFreeAsync(_upstream);
        Assert.Equal(2, _upstreamMail.Ids("alice").Count);

        await using var client = await RawPop3Client.ConnectAsync(_gateway.Pop3EndPoint);
        await client.LoginAsync();
        Assert.Equal("+OK Marked to be deleted", await client.CommandAsync("DELE 1"));
        Assert.Equal(2, _upstreamMail.Ids("alice").Count);
        Assert.Equal("+OK Logging out, messages deleted", await client.CommandAsync("QUIT"));
        Assert.Equal("", await client.ReadToEndAsync());
        Assert.Single(_upstreamMail.Ids("alice"));
        Assert.Equal(Encoding.ASCII.GetBytes(Second), _upstreamMail.Get("alice", _upstreamMail.Ids("alice")[0]));
    }

    [Fact]
    public async Task The_upstream_lock_is_the_lock()
    {
        await using var direct = await RawPop3Client.ConnectAsync(_upstream.Pop3EndPoint);
        await direct.LoginAsync();

        await using var client = await RawPop3Client.ConnectAsync(_gateway.Pop3EndPoint);
        await client.ReadLineAsync();
        await client.CommandAsync("USER alice");
        Assert.Equal("-ERR [IN-USE] Mailbox is locked by another session", await client.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task Credentials_mapped_by_configuration_log_in_to_another_account()
    {
        await using var mapped = GatewayTo(_upstream).With("Pop3:Upstream:User", "bob").With("Pop3:Upstream:Password", "hunter 2");
        await using var client = await RawPop3Client.ConnectAsync(mapped.Pop3EndPoint);
        await client.LoginAsync();
        Assert.Equal("+OK 1 24", await client.CommandAsync("STAT"));
    }

    [Fact]
    public async Task An_upstream_that_refuses_the_login_makes_the_mailbox_unavailable()
    {
        await using var mapped = GatewayTo(_upstream).With("Pop3:Upstream:Password", "wrong");
        await using var client = await RawPop3Client.ConnectAsync(mapped.Pop3EndPoint);
        await client.ReadLineAsync();
        await client.CommandAsync("USER alice");
        Assert.StartsWith("-ERR [SYS/TEMP]", await client.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task A_configured_password_with_a_line_break_is_never_sent_upstream()
    {
        await using var mapped = GatewayTo(_upstream).With("Pop3:Upstream:Password", "secret\r\nDELE 1\r\nQUIT");
        Assert.StartsWith("-ERR [SYS/TEMP]", await LoginReplyAsync(mapped, "alice", "secret"), StringComparison.Ordinal);

        await WaitUntilFreeAsync(_upstream);
        Assert.Equal(2, _upstreamMail.Ids("alice").Count);
    }

    [Fact]
    public async Task A_login_refused_by_the_credential_source_is_an_auth_error_with_its_message()
    {
        await using var gateway = GatewayTo(_upstream).WithServices(s => s.AddSingleton<IUpstreamCredentialSource>(
            new FixedSource(UpstreamCredential.Refused("The mailbox must be re-connected at https://gw.example/connect"))));
        Assert.Equal("-ERR [AUTH] The mailbox must be re-connected at https://gw.example/connect", await LoginReplyAsync(gateway, "alice", "secret"));
    }

    [Fact]
    public async Task A_credential_source_that_cannot_answer_now_is_a_temporary_error_with_its_message()
    {
        await using var gateway = GatewayTo(_upstream).WithServices(s => s.AddSingleton<IUpstreamCredentialSource>(
            new FixedSource(UpstreamCredential.Unavailable("The token service cannot be reached\r\n+OK injected"))));
        Assert.Equal("-ERR [SYS/TEMP] The token service cannot be reached  +OK injected", await LoginReplyAsync(gateway, "alice", "secret"));
    }

    [Fact]
    public async Task A_credential_source_that_throws_is_a_temporary_error()
    {
        await using var gateway = GatewayTo(_upstream).WithServices(s => s.AddSingleton<IUpstreamCredentialSource>(new FixedSource(null)));
        Assert.Equal("-ERR [SYS/TEMP] Mailbox is temporarily unavailable", await LoginReplyAsync(gateway, "alice", "secret"));
    }

    [Fact]
    public async Task A_sasl_credential_from_the_source_logs_in_upstream()
    {
        // The configured password is wrong: only the mechanism's own secret can open the upstream mailbox.
        await using var gateway = GatewayTo(_upstream).With("Pop3:Upstream:Password", "wrong").WithServices(s => s.AddSingleton<IUpstreamCredentialSource>(
            new SaslSource(login => new MailKit.Security.SaslMechanismPlain(login.UpstreamUser, "secret"))));
        await using var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint);
        await client.LoginAsync();
        Assert.StartsWith("+OK 2 ", await client.CommandAsync("STAT"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_clients_own_password_refused_upstream_is_an_auth_error()
    {
        // The local check lets every login through (as in the relay sample): the upstream is the one that knows the password.
        await using var gateway = GatewayTo(_upstream).WithServices(s => s.AddSingleton<IPop3Authenticator, AnyLogin>());
        Assert.Equal("-ERR [AUTH] The upstream server refused the login", await LoginReplyAsync(gateway, "alice", "not the password"));
    }

    [Fact]
    public async Task Upstream_latency_is_on_the_metrics_endpoint_by_operation()
    {
        Assert.StartsWith("+OK", await TranscriptAsync(_gateway, ["RETR 1"]), StringComparison.Ordinal);
        using var http = _gateway.CreateAdminClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string text;
        do
        {
            text = await http.GetStringAsync("/metrics", timeout.Token);
        }
        while (!text.Contains("pop3_upstream_duration_seconds_count{otel_scope_name=\"Pop3.Kestrel\",pop3_result=\"ok\",pop3_upstream_operation=\"fetch\"", StringComparison.Ordinal));

        Assert.Contains("pop3_upstream_duration_seconds_count{otel_scope_name=\"Pop3.Kestrel\",pop3_result=\"ok\",pop3_upstream_operation=\"login\",pop3_upstream_protocol=\"pop3\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_login_and_the_credential_never_show_the_password()
    {
        Assert.DoesNotContain("s3cret", new UpstreamLogin("alice", "alice@isp.example", "s3cret").ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", UpstreamCredential.FromPassword("s3cret").ToString(), StringComparison.Ordinal);
    }

    private static async Task<string> LoginReplyAsync(Pop3ServerFactory gateway, string user, string password)
    {
        await using var client = await RawPop3Client.ConnectAsync(gateway.Pop3EndPoint);
        await client.ReadLineAsync();
        Assert.StartsWith("+OK", await client.CommandAsync("USER " + user));
        return await client.CommandAsync("PASS " + password);
    }

    private sealed class FixedSource(UpstreamCredential? credential) : IUpstreamCredentialSource
    {
        public ValueTask<UpstreamCredential> GetCredentialAsync(UpstreamLogin login, CancellationToken cancellationToken) =>
            credential is null ? throw new HttpRequestException("token endpoint down") : ValueTask.FromResult(credential);
    }

    private sealed class SaslSource(Func<UpstreamLogin, MailKit.Security.SaslMechanism> mechanism) : IUpstreamCredentialSource
    {
        public ValueTask<UpstreamCredential> GetCredentialAsync(UpstreamLogin login, CancellationToken cancellationToken) =>
            ValueTask.FromResult(UpstreamCredential.FromSasl(mechanism(login)));
    }

    private sealed class AnyLogin : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(Pop3AuthenticationResult.Success(user));
    }

    /// <summary>CRLF lines of varied length (one far longer than any buffer), many starting with dots, so stuffing lands on every buffer boundary.</summary>
    private static byte[] LargeMessage(int size)
    {
        var random = new Random(17);
        var message = new MemoryStream(size + 200_000);
        message.Write("Subject: large\r\nX-Test: streamed\r\n\r\n.\r\n..\r\n"u8);
        message.Write(Encoding.ASCII.GetBytes(new string('L', 100_000) + "\r\n"));
        while (message.Length < size)
        {
            var line = new string((char)('a' + random.Next(26)), random.Next(0, 200));
            var prefix = random.Next(4) switch { 0 => ".", 1 => "..", _ => "" };
            message.Write(Encoding.ASCII.GetBytes(prefix + line + "\r\n"));
        }

        message.Write(".end\r\n"u8);
        return message.ToArray();
    }

    private static Pop3ServerFactory GatewayTo(Pop3ServerFactory upstream) =>
        new Pop3ServerFactory()
            .With("Pop3:Store", "Upstream")
            .With("Pop3:Upstream:Host", "127.0.0.1")
            .With("Pop3:Upstream:Port", upstream.Pop3EndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithServices(services => services.AddSingleton<IPop3Authenticator, TestUsers>());

    /// <summary>Logs in as alice, sends each command, and records every reply line and multi-line body.</summary>
    private static async Task<string> TranscriptAsync(Pop3ServerFactory server, string[] commands)
    {
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        var transcript = new StringBuilder();
        foreach (var command in commands)
        {
            var reply = await client.CommandAsync(command);
            transcript.Append(reply).Append("\r\n");
            if (reply.StartsWith("+OK", StringComparison.Ordinal) && (command is "LIST" or "UIDL" || command.StartsWith("RETR", StringComparison.Ordinal) || command.StartsWith("TOP", StringComparison.Ordinal)))
            {
                transcript.Append(Encoding.Latin1.GetString(await client.ReadMultiLineBodyAsync()));
            }
        }

        Assert.StartsWith("+OK", await client.CommandAsync("QUIT"));
        Assert.Equal("", await client.ReadToEndAsync());
        return transcript.ToString();
    }

    /// <summary>Logs in and out directly until the upstream no longer answers [IN-USE] (it frees the lock when it sees a drop).</summary>
    private static async Task WaitUntilFreeAsync(Pop3ServerFactory upstream)
    {
        while (true)
        {
            await using var probe = await RawPop3Client.ConnectAsync(upstream.Pop3EndPoint);
            await probe.ReadLineAsync();
            await probe.CommandAsync("USER alice");
            if ((await probe.CommandAsync("PASS secret")).StartsWith("+OK", StringComparison.Ordinal))
            {
                await probe.CommandAsync("QUIT");
                await probe.ReadToEndAsync();
                return;
            }
        }
    }
}

/// <summary>The POP3 upstream backend against the maildrop contract, relaying to a second instance of this server.</summary>
public sealed class Pop3UpstreamConformanceTests : MaildropConformanceTests
{
    private readonly InMemoryMailStore _upstreamMail = new();
    private readonly Pop3ServerFactory _upstream;

    public Pop3UpstreamConformanceTests()
    {
        _upstream = new Pop3ServerFactory().WithServices(services =>
        {
            new Pop3ServerBuilder(services).AddInMemoryMaildrop();
            services.AddSingleton(_upstreamMail);
            services.AddSingleton<IPop3Authenticator, AnyUserWithPassword>();
        });
    }

    protected override bool KeepsBytesAsDelivered => false;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    protected override ValueTask<IMaildrop> CreateMaildropAsync()
    {
        var credentials = new Pop3LoginCredentials();
        credentials.Set("ignored", AnyUserWithPassword.Password);
        var options = Options.Create(new UpstreamOptions { Host = "127.0.0.1", Port = _upstream.Pop3EndPoint.Port });
        return ValueTask.FromResult<IMaildrop>(new Pop3UpstreamMaildrop(options, new ConfiguredUpstreamCredentialSource(options), NullLogger<Pop3UpstreamMaildrop>.Instance, credentials));
    }

    protected override ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        _upstreamMail.Add(mailbox, message);
        return ValueTask.CompletedTask;
    }

    private sealed class AnyUserWithPassword : IPop3Authenticator
    {
        public const string Password = "pw";

        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(password == Password ? Pop3AuthenticationResult.Success(user) : Pop3AuthenticationResult.Failure);
    }
}
