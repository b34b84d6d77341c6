using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;

namespace Pop3.Kestrel.Tls;

/// <summary>
/// TLS over a connection's pipes, for implicit TLS and STLS alike: the handshake, then pipes over the SslStream
/// whose writes fill whole TLS records.
/// </summary>
/// <remarks>
/// The path of a RETR: the message writer fills 32 KiB segments of <see cref="Output"/>; at each of its flushes
/// every segment becomes two full-size records (16 KiB of plaintext each, the TLS maximum) that SslStream encrypts
/// in one call and copies into the connection's pipe, and one flush of that pipe sends them all.
/// Kestrel's own HTTPS middleware writes 4 KiB records and flushes the socket after each, one send per record.
/// </remarks>
internal sealed class Pop3TlsTransport : IDuplexPipe, IAsyncDisposable
{
    /// <summary>The largest plaintext of one TLS record (RFC 8446 §5.1, RFC 5246 §6.2.1).</summary>
    internal const int RecordSize = 16 * 1024;

    /// <summary>
    /// What the pipe writer hands SslStream at a time: SslStream on Linux encrypts up to 32 KiB per call, which OpenSSL
    /// cuts into full records; each call has a fixed cost (the OpenSSL calls, the copy out of its buffer, ours into the pipe).
    /// </summary>
    internal const int WriteChunk = 2 * RecordSize;

    /// <summary>How long closing may wait for a client that does not read: the rest of the reply and close_notify.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _time;
    private readonly DuplexPipeStream _plain;
    private readonly SslStream _ssl;
    private PipeReader? _input;
    private PipeWriter? _output;

    private Pop3TlsTransport(IDuplexPipe transport, TimeProvider time)
    {
        _time = time;
        _plain = new DuplexPipeStream(transport);
        _ssl = new SslStream(_plain, leaveInnerStreamOpen: true);
    }

    /// <summary>The TLS session, once the handshake is done.</summary>
    public SslStream Ssl => _ssl;

    public PipeReader Input => _input ?? throw new InvalidOperationException("The TLS handshake has not completed.");

    public PipeWriter Output => _output ?? throw new InvalidOperationException("The TLS handshake has not completed.");

    /// <summary>
    /// Runs the server's handshake over <paramref name="transport"/>, bounded by <paramref name="timeout"/>. Returns the
    /// secure transport, or null with the reason the handshake failed ("timeout" or the TLS error).
    /// </summary>
    public static async ValueTask<(Pop3TlsTransport? Transport, string? Failure)> AuthenticateAsync(
        IDuplexPipe transport,
        ServerOptionsSelectionCallback options,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var tls = new Pop3TlsTransport(transport, time);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            await tls._ssl.AuthenticateAsServerAsync(options, null, linked.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
        {
            // The alert that says why, if SslStream wrote one.
            await tls.TrySendAsync(linked.Token);
            await tls.ReleaseAsync();
            return (null, deadline.IsCancellationRequested ? "timeout" : e.Message);
        }

        // TLS 1.2 ends with the server's Finished, which the client waits for. TLS 1.3 ends with session tickets,
        // which nobody waits for: they go out with the first reply.
        if (tls._ssl.SslProtocol != SslProtocols.Tls13 && !await tls.TrySendAsync(linked.Token))
        {
            await tls.ReleaseAsync();
            return (null, deadline.IsCancellationRequested ? "timeout" : "The client closed the connection.");
        }

        tls._plain.IsHandshaking = false;
        tls._input = PipeReader.Create(tls._ssl, new StreamPipeReaderOptions(leaveOpen: true));
        tls._output = PipeWriter.Create(tls._ssl, new StreamPipeWriterOptions(minimumBufferSize: WriteChunk, leaveOpen: true));
        return (tls, null);
    }

    /// <summary>Sends what SslStream wrote; false if the client is gone or time ran out.</summary>
    private async ValueTask<bool> TrySendAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _plain.SendAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Completes the pipes, sends close_notify if the client is still there, and releases the TLS session.</summary>
    public async ValueTask DisposeAsync()
    {
        // A client that stopped reading would hold every flush below for ever: they give up after a bound.
        using var giveUp = new CancellationTokenSource(CloseTimeout, _time);
        using var cancel = giveUp.Token.Register(static plain => ((DuplexPipeStream)plain!).StopWaiting(), _plain);
        if (_input is not null)
        {
            await _input.CompleteAsync();
        }

        try
        {
            // Completing the writer encrypts what the session left unflushed; the alert is one small write, sent at once.
            if (_output is not null)
            {
                await _output.CompleteAsync();
            }

            await _ssl.ShutdownAsync();
            await _plain.SendAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or AuthenticationException or OperationCanceledException)
        {
            // The client is already gone.
        }

        await ReleaseAsync();
    }

    /// <summary>Releases the TLS session. SslStream flushes the stream under it on the way, which fails if the client is gone.</summary>
    private async ValueTask ReleaseAsync()
    {
        try
        {
            await _ssl.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Nothing is left to send to a client that is gone.
        }
    }
}
