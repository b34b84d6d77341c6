using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Delivery;
using Pop3.Kestrel.Lmtp;
using static Pop3.Server.Tests.Lmtp.LmtpSessionHarness;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>The LMTP conversation (RFC 2033) byte for byte, over in-memory pipes, every command sent at once.</summary>
public sealed class LmtpSessionTests
{
    private readonly RecordingStore _store = new();

    private const string Message = "Subject: hi\r\n\r\n..dot-stuffed line\r\nlast\r\n";

    [Fact]
    public async Task A_pipelined_transaction_gets_one_reply_per_recipient_after_the_final_dot()
    {
        var (output, end) = await RunAsync(
            "LHLO mta.example\r\nMAIL FROM:<sender@example.net> SIZE=40\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<nobody@example.org>\r\n" +
            "RCPT TO:<bob@example.org>\r\nDATA\r\n" + Message + ".\r\nQUIT\r\n", _store);

        Assert.Equal(
            Greeting + Lhlo + "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n550 5.1.1 No such user here\r\n250 2.1.5 Recipient OK\r\n" +
            "354 Start mail input; end with <CRLF>.<CRLF>\r\n" +
            "250 2.0.0 <alice@example.org> delivered\r\n250 2.0.0 <bob@example.org> delivered\r\n" +
            "221 2.0.0 lmtp.test closing connection\r\n", output);
        Assert.Equal(LmtpSessionEnd.Quit, end);
        Assert.Equal(["Subject: hi\r\n\r\n.dot-stuffed line\r\nlast\r\n"], _store.Messages("alice"));
        Assert.Equal(_store.Messages("alice"), _store.Messages("bob"));
    }

    [Fact]
    public async Task Each_recipient_gets_its_own_reply_when_one_store_fails()
    {
        _store.Failures["alice"] = new Pop3DeliveryException(Pop3DeliveryFailure.InsufficientStorage, "disk full");
        _store.Failures["bob"] = new InvalidOperationException("unexpected");

        var (output, _) = await RunAsync(
            "LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nbody\r\n.\r\n", _store);

        Assert.EndsWith(
            "354 Start mail input; end with <CRLF>.<CRLF>\r\n" +
            "452 4.2.2 Mailbox full or store out of space, try again later\r\n" +
            "451 4.3.0 Temporary failure storing the message, try again later\r\n", output);
        Assert.Empty(_store.Delivered);
    }

    [Fact]
    public async Task A_temporary_store_failure_is_451_and_the_next_message_is_delivered()
    {
        _store.Failures["alice"] = new Pop3DeliveryException(Pop3DeliveryFailure.Temporary, "database down");
        var (output, _) = await RunAsync(
            "LHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\none\r\n.\r\n" +
            "MAIL FROM:<a@b.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\ntwo\r\n.\r\n", _store);

        Assert.Contains("\r\n451 4.3.0 Temporary failure storing the message, try again later\r\n250 2.1.0 Sender OK\r\n", output);
        Assert.EndsWith("250 2.0.0 <bob@example.org> delivered\r\n", output);
        Assert.Equal(["two\r\n"], _store.Messages("bob"));
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.example>\r\n", "503 5.5.1 Send LHLO first\r\n")]
    [InlineData("LHLO x\r\nRCPT TO:<alice@example.org>\r\n", Lhlo + "503 5.5.1 Send MAIL FROM first\r\n")]
    [InlineData("LHLO x\r\nDATA\r\n", Lhlo + "503 5.5.1 Send MAIL FROM first\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:<>\r\nMAIL FROM:<>\r\n", Lhlo + "250 2.1.0 Sender OK\r\n503 5.5.1 Sender already given\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<nobody@example.org>\r\nDATA\r\n",
        Lhlo + "250 2.1.0 Sender OK\r\n550 5.1.1 No such user here\r\n503 5.5.1 No valid recipients\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nRSET\r\nDATA\r\n",
        Lhlo + "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n250 2.0.0 OK\r\n503 5.5.1 Send MAIL FROM first\r\n")]
    public async Task Commands_out_of_sequence_are_503(string client, string replies)
    {
        var (output, _) = await RunAsync(client, _store);
        Assert.Equal(Greeting + replies, output);
    }

    [Theory]
    [InlineData("HELO x\r\n", "500 5.5.1 This is LMTP: greet with LHLO\r\n")]
    [InlineData("EHLO x\r\n", "500 5.5.1 This is LMTP: greet with LHLO\r\n")]
    [InlineData("XYZZY\r\n", "500 5.5.1 Command unrecognized\r\n")]
    [InlineData("EXPN list\r\n", "502 5.5.1 Command not implemented\r\n")]
    [InlineData("VRFY alice\r\n", "252 2.5.2 Cannot VRFY user; send RCPT to find out\r\n")]
    [InlineData("NOOP\r\n", "250 2.0.0 OK\r\n")]
    [InlineData("LHLO\r\n", "501 5.5.4 Syntax: LHLO hostname\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:sender@example.net\r\n", Lhlo + "501 5.5.4 Syntax: MAIL FROM:<address> [SIZE=n] [BODY=7BIT|8BITMIME]\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:<a b@example.net>\r\n", Lhlo + "501 5.1.7 Bad sender address syntax\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:<> RET=HDRS\r\n", Lhlo + "555 5.5.4 Unsupported parameter\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org> NOTIFY=NEVER\r\n", Lhlo + "250 2.1.0 Sender OK\r\n555 5.5.4 Unsupported parameter\r\n")]
    [InlineData("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<>\r\n", Lhlo + "250 2.1.0 Sender OK\r\n501 5.1.3 Bad recipient address syntax\r\n")]
    public async Task Each_command_gets_its_rfc_reply(string client, string replies)
    {
        var (output, _) = await RunAsync(client, _store);
        Assert.Equal(Greeting + replies, output);
    }

    [Fact]
    public async Task A_declared_size_over_the_limit_is_refused_at_mail_from()
    {
        var options = Options();
        options.MaxMessageSize = 1000;
        var (output, _) = await RunAsync("LHLO x\r\nMAIL FROM:<> SIZE=1001\r\nMAIL FROM:<> SIZE=1000\r\n", _store, options);
        Assert.EndsWith("250 SIZE 1000\r\n552 5.3.4 Message too big for system\r\n250 2.1.0 Sender OK\r\n", output);
    }

    [Fact]
    public async Task A_message_over_the_limit_is_read_to_its_end_and_refused_for_every_recipient()
    {
        var options = Options();
        options.MaxMessageSize = 100;
        options.SpoolMemoryLimit = 10;
        var big = string.Concat(Enumerable.Repeat("0123456789\r\n", 20));
        var (output, _) = await RunAsync(
            "LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n" + big + ".\r\nNOOP\r\n", _store, options);

        Assert.EndsWith("354 Start mail input; end with <CRLF>.<CRLF>\r\n552 5.3.4 Message too big for system\r\n552 5.3.4 Message too big for system\r\n250 2.0.0 OK\r\n", output);
        Assert.Empty(_store.Delivered);
    }

    [Fact]
    public async Task A_message_exactly_at_the_limit_is_delivered_through_the_file_spool()
    {
        var options = Options();
        var message = string.Concat(Enumerable.Repeat("0123456789\r\n", 50));
        options.MaxMessageSize = message.Length;
        options.SpoolMemoryLimit = 100;
        var (output, _) = await RunAsync("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n" + message + ".\r\n", _store, options);

        Assert.EndsWith("250 2.0.0 <alice@example.org> delivered\r\n", output);
        Assert.Equal([message], _store.Messages("alice"));
    }

    [Fact]
    public async Task Too_many_recipients_get_452_and_the_accepted_ones_are_delivered()
    {
        var options = Options();
        options.MaxRecipients = 1;
        var (output, _) = await RunAsync(
            "LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nm\r\n.\r\n", _store, options);

        Assert.EndsWith("250 2.1.5 Recipient OK\r\n452 4.5.3 Too many recipients\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 <alice@example.org> delivered\r\n", output);
        Assert.Empty(_store.Messages("bob"));
    }

    [Fact]
    public async Task A_line_too_long_is_500_5_5_2_and_the_session_goes_on()
    {
        var (output, _) = await RunAsync("NOOP " + new string('x', 600) + "\r\nNOOP\r\n", _store);
        Assert.Equal(Greeting + "500 5.5.2 Line too long\r\n250 2.0.0 OK\r\n", output);
    }

    [Fact]
    public async Task Too_many_errors_in_a_row_close_the_connection_with_421()
    {
        var options = Options();
        options.MaxErrors = 3;
        var (output, end) = await RunAsync("X\r\nNOOP\r\nX\r\nX\r\nX\r\nNOOP\r\n", _store, options);
        Assert.Equal(Greeting + "500 5.5.1 Command unrecognized\r\n250 2.0.0 OK\r\n" + string.Concat(Enumerable.Repeat("500 5.5.1 Command unrecognized\r\n", 3)) +
            "421 4.7.0 lmtp.test too many errors, closing connection\r\n", output);
        Assert.Equal(LmtpSessionEnd.TooManyErrors, end);
    }

    [Fact]
    public async Task A_client_that_leaves_during_data_gets_nothing_delivered()
    {
        var (output, end) = await RunAsync("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\npart of a message\r\n", _store);
        Assert.EndsWith("354 Start mail input; end with <CRLF>.<CRLF>\r\n", output);
        Assert.Equal(LmtpSessionEnd.Dropped, end);
        Assert.Empty(_store.Delivered);
    }

    [Fact]
    public async Task Lhlo_starts_over_and_a_bare_lf_dot_does_not_end_the_message()
    {
        var (output, _) = await RunAsync(
            "LHLO x\r\nMAIL FROM:<>\r\nLHLO y\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\na\n.\nb\r\n.\r\n", _store);
        Assert.Equal(Greeting + Lhlo + "250 2.1.0 Sender OK\r\n" + Lhlo + "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n" +
            "354 Start mail input; end with <CRLF>.<CRLF>\r\n250 2.0.0 <alice@example.org> delivered\r\n", output);
        Assert.Equal(["a\n.\nb\r\n"], _store.Messages("alice"));
    }

    [Fact]
    public async Task An_idle_client_is_told_421_when_the_command_timeout_expires()
    {
        var time = new FakeTimeProvider();
        var options = Options();
        var toServer = new Pipe();
        var toClient = new Pipe();
        await using var session = new LmtpSession(options, new LmtpReplies(Microsoft.Extensions.Options.Options.Create(options)), _store, _store, time, NullLogger.Instance);
        var run = session.RunAsync(new DuplexPipe(toServer.Reader, toClient.Writer), CancellationToken.None);

        await toServer.Writer.WriteAsync("NOOP\r\n"u8.ToArray());
        var greeting = await ReadAsync(toClient.Reader, Greeting.Length + "250 2.0.0 OK\r\n".Length);
        Assert.Equal(Greeting + "250 2.0.0 OK\r\n", greeting);

        time.Advance(options.CommandTimeout - TimeSpan.FromSeconds(1));
        Assert.False(run.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LmtpSessionEnd.Timeout, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("421 4.4.2 lmtp.test timeout exceeded, closing connection\r\n", await ReadAsync(toClient.Reader, 56));
    }

    [Fact]
    public async Task A_delivery_in_progress_when_the_host_stops_finishes_and_is_answered_before_421()
    {
        var store = new GatedStore();
        var options = Options();
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var stopping = new CancellationTokenSource();
        await using var session = new LmtpSession(options, new LmtpReplies(Microsoft.Extensions.Options.Options.Create(options)), store, store,
            TimeProvider.System, NullLogger.Instance);
        var run = session.RunAsync(new DuplexPipe(toServer.Reader, toClient.Writer), stopping.Token);

        await toServer.Writer.WriteAsync("LHLO x\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\nhello\r\n.\r\n"u8.ToArray());
        await store.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        stopping.Cancel();
        store.Release.SetResult();

        Assert.Equal(LmtpSessionEnd.Shutdown, await run.WaitAsync(TimeSpan.FromSeconds(10)));
        await toClient.Writer.CompleteAsync();
        Assert.Equal(Greeting + Lhlo + "250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 Start mail input; end with <CRLF>.<CRLF>\r\n" +
            "250 2.0.0 <alice@example.org> delivered\r\n421 4.3.2 lmtp.test shutting down, try again later\r\n", await ReadAsync(toClient.Reader, int.MaxValue));
        Assert.Equal(["hello\r\n"], store.Messages);
    }

    /// <summary>Alice's store, whose delivery waits until the test lets it go, giving up only if its token fires.</summary>
    private sealed class GatedStore : IPop3UserDirectory, IPop3MailDelivery
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Messages { get; } = [];

        public ValueTask<string?> FindMailboxAsync(string user, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(user);

        public async Task DeliverAsync(string mailbox, Stream message, CancellationToken cancellationToken)
        {
            Started.SetResult();
            await Release.Task.WaitAsync(cancellationToken);
            using var copy = new StreamReader(message, Encoding.Latin1, leaveOpen: true);
            Messages.Add(await copy.ReadToEndAsync(cancellationToken));
        }
    }

    private static async Task<string> ReadAsync(PipeReader reader, int length)
    {
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            if (result.Buffer.Length >= length || result.IsCompleted)
            {
                var text = Encoding.Latin1.GetString(result.Buffer.ToArray());
                reader.AdvanceTo(result.Buffer.End);
                return text;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
