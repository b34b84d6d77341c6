using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Text;
using MailKit.Security;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// One POP3 session with the upstream, driven by hand rather than by MailKit's <c>Pop3Client</c>, because that client
/// reads a whole RETR into memory before returning it; here RETR is a stream read straight off the connection.
/// Replies are read through a <see cref="PipeReader"/>, so memory stays bounded by its buffer whatever the message size.
/// The caller must read or dispose a message stream before its next command; the next command drains what is left.
/// </summary>
internal sealed class Pop3UpstreamConnection : IAsyncDisposable
{
    // RFC 1939 caps a reply line at 512 octets; SASL challenges may be longer, so this only guards against a runaway peer.
    private const int MaxLineLength = 64 * 1024;

    private readonly TimeSpan _timeout;
    private Stream _stream;
    private PipeReader _reader;
    private Pop3UpstreamMessageStream? _message;

    private Pop3UpstreamConnection(Stream stream, TimeSpan timeout)
    {
        _stream = stream;
        _timeout = timeout;
        _reader = NewReader(stream);
    }

    /// <summary>The upstream's CAPA answer (capability names upper-cased), empty if it has no CAPA.</summary>
    public IReadOnlySet<string> Capabilities { get; private set; } = new HashSet<string>();

    /// <summary>Connects, reads the greeting and, per <paramref name="tls"/>, secures the connection.</summary>
    public static async Task<Pop3UpstreamConnection> ConnectAsync(
        string host, int port, UpstreamTlsMode tls, bool acceptAnyCertificate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Stream stream = await UpstreamStream.ConnectAsync(host, port, timeout, cancellationToken);
        Pop3UpstreamConnection? connection = null;
        try
        {
            if (tls == UpstreamTlsMode.Implicit)
            {
                stream = await SecureAsync(stream, host, acceptAnyCertificate, timeout, cancellationToken);
            }

            connection = new Pop3UpstreamConnection(stream, timeout);
            var greeting = await connection.ReadLineAsync(cancellationToken);
            if (!IsOk(greeting))
            {
                throw new Pop3UpstreamException(greeting);
            }

            await connection.QueryCapabilitiesAsync(cancellationToken);
            if (tls == UpstreamTlsMode.StartTls)
            {
                if (!connection.Capabilities.Contains("STLS"))
                {
                    throw new Pop3UpstreamException("The upstream does not offer STLS.");
                }

                await connection.CommandAsync("STLS", cancellationToken);
                await connection._reader.CompleteAsync();
                connection._stream = await SecureAsync(connection._stream, host, acceptAnyCertificate, timeout, cancellationToken);
                connection._reader = NewReader(connection._stream);
                await connection.QueryCapabilitiesAsync(cancellationToken);
            }

            return connection;
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
            else
            {
                await stream.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Logs in with USER/PASS; returns null on success, or the upstream's <c>-ERR</c> line.</summary>
    public async Task<string?> LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        var reply = await SendAsync($"USER {user}", cancellationToken);
        if (!IsOk(reply))
        {
            return reply;
        }

        reply = await SendAsync($"PASS {password}", cancellationToken);
        return IsOk(reply) ? null : reply;
    }

    /// <summary>Logs in with AUTH (RFC 5034), the SASL exchange computed by <paramref name="mechanism"/>; returns null on success, or the upstream's <c>-ERR</c> line.</summary>
    public async Task<string?> AuthenticateAsync(SaslMechanism mechanism, CancellationToken cancellationToken)
    {
        var command = "AUTH " + mechanism.MechanismName;
        if (mechanism.SupportsInitialResponse)
        {
            var initial = await mechanism.ChallengeAsync(null, cancellationToken);
            command += " " + (string.IsNullOrEmpty(initial) ? "=" : initial);
        }

        var reply = await SendAsync(command, cancellationToken);
        while (reply.StartsWith('+') && !IsOk(reply))
        {
            // After a final server message (XOAUTH2's error JSON), the client's answer is an empty line.
            var response = mechanism.IsAuthenticated ? string.Empty : await mechanism.ChallengeAsync(reply.Length > 2 ? reply[2..] : string.Empty, cancellationToken);
            reply = await SendAsync(response ?? string.Empty, cancellationToken);
        }

        return IsOk(reply) ? null : reply;
    }

    /// <summary>STAT's message count.</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("STAT", cancellationToken);
        var fields = reply.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length >= 2 && int.TryParse(fields[1], out var count) && count >= 0
            ? count
            : throw new Pop3UpstreamException("The upstream's STAT reply is malformed: " + reply);
    }

    /// <summary>LIST's sizes, by message number (index 0 is message 1).</summary>
    public async Task<long[]> SizesAsync(int count, CancellationToken cancellationToken)
    {
        var sizes = new long[count];
        foreach (var (number, value) in await ScanListingAsync("LIST", count, cancellationToken))
        {
            sizes[number - 1] = long.TryParse(value, out var size) && size >= 0
                ? size
                : throw new Pop3UpstreamException("The upstream's LIST line is malformed: " + value);
        }

        return sizes;
    }

    /// <summary>UIDL's unique ids by message number, or null if the upstream refuses UIDL.</summary>
    public async Task<string[]?> UidsAsync(int count, CancellationToken cancellationToken)
    {
        await DrainMessageAsync(cancellationToken);
        var reply = await SendAsync("UIDL", cancellationToken);
        if (!IsOk(reply))
        {
            return null;
        }

        var uids = new string[count];
        foreach (var (number, value) in await ReadListingAsync(count, cancellationToken))
        {
            uids[number - 1] = value;
        }

        return Array.IndexOf(uids, null) < 0 ? uids : throw new Pop3UpstreamException("The upstream's UIDL left out a message.");
    }

    /// <summary>Sends RETR and returns the message, dot-stuffing removed, read off the connection as the caller reads.</summary>
    public async Task<Stream> RetrieveAsync(int number, CancellationToken cancellationToken)
    {
        await CommandAsync($"RETR {number}", cancellationToken);
        _message = new Pop3UpstreamMessageStream(_reader, _timeout);
        return _message;
    }

    /// <summary>Sends DELE for <paramref name="number"/>.</summary>
    public Task DeleteAsync(int number, CancellationToken cancellationToken) => CommandAsync($"DELE {number}", cancellationToken);

    /// <summary>Sends QUIT and fails unless the upstream answers <c>+OK</c> (its UPDATE state succeeded).</summary>
    public Task QuitAsync(CancellationToken cancellationToken) => CommandAsync("QUIT", cancellationToken);

    /// <summary>Closes the connection; the upstream stream waits (bounded) for the upstream to hang up.</summary>
    public async ValueTask DisposeAsync()
    {
        _message?.Detach();
        await _reader.CompleteAsync();
        await _stream.DisposeAsync();
    }

    private async Task QueryCapabilitiesAsync(CancellationToken cancellationToken)
    {
        var reply = await SendAsync("CAPA", cancellationToken);
        var capabilities = new HashSet<string>(StringComparer.Ordinal);
        if (IsOk(reply))
        {
            while (await ReadLineAsync(cancellationToken) is var line && line != ".")
            {
                var name = line.Split(' ', 2)[0];
                capabilities.Add((name.StartsWith('.') ? name[1..] : name).ToUpperInvariant());
            }
        }

        Capabilities = capabilities;
    }

    private async Task<List<(int Number, string Value)>> ScanListingAsync(string command, int count, CancellationToken cancellationToken)
    {
        await CommandAsync(command, cancellationToken);
        return await ReadListingAsync(count, cancellationToken);
    }

    private async Task<List<(int Number, string Value)>> ReadListingAsync(int count, CancellationToken cancellationToken)
    {
        var entries = new List<(int, string)>();
        while (await ReadLineAsync(cancellationToken) is var line && line != ".")
        {
            var fields = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !int.TryParse(fields[0], out var number) || number < 1 || number > count)
            {
                throw new Pop3UpstreamException("The upstream's listing line is malformed: " + line);
            }

            entries.Add((number, fields[1]));
        }

        return entries;
    }

    private async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        var reply = await SendAsync(command, cancellationToken);
        return IsOk(reply) ? reply : throw new Pop3UpstreamException(reply);
    }

    private async Task<string> SendAsync(string command, CancellationToken cancellationToken)
    {
        if (command.AsSpan().ContainsAny('\r', '\n'))
        {
            // A user name or configured password with a line break would smuggle a second command upstream.
            throw new Pop3UpstreamException("A command for the upstream contains a line break; it was not sent.");
        }

        await DrainMessageAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), limit.Token);
        await _stream.FlushAsync(limit.Token);
        return await ReadLineAsync(cancellationToken);
    }

    private async Task DrainMessageAsync(CancellationToken cancellationToken)
    {
        var message = _message;
        _message = null;
        if (message is not null)
        {
            await message.DrainAsync(cancellationToken);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await ReadWithTimeoutAsync(_reader, _timeout, cancellationToken);
            var buffer = result.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } end)
            {
                var line = buffer.Slice(0, end);
                var text = Encoding.UTF8.GetString(line.IsSingleSegment ? line.FirstSpan : line.ToArray()).TrimEnd('\r');
                _reader.AdvanceTo(buffer.GetPosition(1, end));
                return text;
            }

            if (result.IsCompleted || buffer.Length > MaxLineLength)
            {
                _reader.AdvanceTo(buffer.End);
                throw new Pop3UpstreamException(result.IsCompleted ? "The upstream closed the connection." : "The upstream sent an over-long line.");
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// One read with the upstream timeout. A read that times out is an <see cref="IOException"/>, what the session
    /// expects from a failing backend; a cancelled one stays cancelled.
    /// </summary>
    internal static async ValueTask<ReadResult> ReadWithTimeoutAsync(PipeReader reader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            return await reader.ReadAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException("The upstream did not answer in time.", new TimeoutException());
        }
    }

    private static bool IsOk(string reply) => reply.StartsWith("+OK", StringComparison.Ordinal);

    private static PipeReader NewReader(Stream stream) =>
        PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 16 * 1024, leaveOpen: true));

    private static async Task<Stream> SecureAsync(Stream inner, string host, bool acceptAnyCertificate, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                RemoteCertificateValidationCallback = acceptAnyCertificate ? static (_, _, _, _) => true : null,
            }, limit.Token);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }
}
