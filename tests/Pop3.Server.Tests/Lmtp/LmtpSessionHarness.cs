using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Delivery;
using Pop3.Kestrel.Lmtp;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>Users alice and bob; every message kept as delivered, or a failure when one is set for the mailbox.</summary>
internal sealed class RecordingStore : IPop3UserDirectory, IPop3MailDelivery
{
    public ConcurrentQueue<(string Mailbox, byte[] Message)> Delivered { get; } = new();

    public Dictionary<string, Exception> Failures { get; } = [];

    public ValueTask<string?> FindMailboxAsync(string user, CancellationToken cancellationToken) =>
        ValueTask.FromResult(user is "alice" or "bob" ? user : null);

    public async Task DeliverAsync(string mailbox, Stream message, CancellationToken cancellationToken)
    {
        if (Failures.TryGetValue(mailbox, out var failure))
        {
            throw failure;
        }

        using var copy = new MemoryStream();
        await message.CopyToAsync(copy, cancellationToken);
        Delivered.Enqueue((mailbox, copy.ToArray()));
    }

    public string[] Messages(string mailbox) =>
        Delivered.Where(d => d.Mailbox == mailbox).Select(d => Encoding.Latin1.GetString(d.Message)).ToArray();
}

/// <summary>An <see cref="LmtpSession"/> over in-memory pipes: the client's bytes in, every byte the server wrote out.</summary>
internal static class LmtpSessionHarness
{
    public const string Greeting = "220 lmtp.test LMTP Pop3.Kestrel ready\r\n";

    public const string Lhlo = "250-lmtp.test\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n";

    public static Pop3LmtpOptions Options() => new() { HostName = "lmtp.test" };

    /// <summary>Sends <paramref name="client"/> all at once (a pipelining client at its most eager), then closes.</summary>
    public static async Task<(string Output, LmtpSessionEnd End)> RunAsync(string client, RecordingStore store, Pop3LmtpOptions? options = null)
    {
        options ??= Options();
        var toServer = new Pipe();
        var toClient = new Pipe();
        await toServer.Writer.WriteAsync(Encoding.Latin1.GetBytes(client));
        await toServer.Writer.CompleteAsync();

        await using var session = new LmtpSession(options, new LmtpReplies(Microsoft.Extensions.Options.Options.Create(options)), store, store,
            TimeProvider.System, NullLogger.Instance);
        var end = await session.RunAsync(new DuplexPipe(toServer.Reader, toClient.Writer), CancellationToken.None);
        await toClient.Writer.CompleteAsync();
        var output = await toClient.Reader.ReadAsync();
        while (!output.IsCompleted)
        {
            toClient.Reader.AdvanceTo(output.Buffer.Start, output.Buffer.End);
            output = await toClient.Reader.ReadAsync();
        }

        return (Encoding.Latin1.GetString(output.Buffer.ToArray()), end);
    }

    public sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
