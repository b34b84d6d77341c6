using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Pop3.LoadTool;

/// <summary>A reply that a correct POP3 server would not send: the run fails.</summary>
public sealed class Pop3CheckException(string message) : Exception(message);

/// <summary>
/// A minimal, strict POP3 client over one socket, in the clear, after STLS or with implicit TLS: every reply is
/// read whole and checked (status, CRLF endings, the terminator, un-stuffed octet counts), never skipped.
/// </summary>
/// <remarks>The server's certificate is not checked: the target is a loopback server under test, often self-signed.</remarks>
public sealed class Pop3LoadConnection : IAsyncDisposable
{
    private const int BufferSize = 256 * 1024;
    private const int InitialBufferSize = 16 * 1024;
    private readonly Socket _socket;
    private Stream? _tls;

    // Pooled and small at first (a login needs a few hundred octets); it doubles up to BufferSize when a receive
    // fills it (a long body arriving) or a line does not fit. A fresh 256 KiB array per connection cost the client
    // more CPU per login (zeroing, large-object GCs) than the server spent on it, on the cores they share.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _start;
    private int _end;

    private Pop3LoadConnection(Socket socket) => _socket = socket;

    /// <summary>Octets received on this connection.</summary>
    public long Received { get; private set; }

    /// <summary>Connects and checks the greeting; with <paramref name="tls"/> "stls" it then runs STLS, with "implicit" the handshake comes first.</summary>
    public static async Task<Pop3LoadConnection> ConnectAsync(IPEndPoint endPoint, CancellationToken cancellationToken, string tls = "none", bool resume = false)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new Pop3LoadConnection(socket);
        try
        {
            if (tls == "implicit")
            {
                await connection.HandshakeAsync(resume, cancellationToken);
            }

            await connection.ExpectOkAsync("greeting", cancellationToken);
            if (tls == "stls")
            {
                await connection.SendAsync("STLS\r\n"u8.ToArray(), cancellationToken);
                await connection.ExpectOkAsync("STLS", cancellationToken);
                if (connection._end != connection._start)
                {
                    throw new Pop3CheckException("Data after the STLS reply, before the handshake.");
                }

                await connection.HandshakeAsync(resume, cancellationToken);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return connection;
    }

    private async Task HandshakeAsync(bool resume, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(new NetworkStream(_socket, ownsSocket: false), leaveInnerStreamOpen: false);
        _tls = ssl;
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            AllowTlsResume = resume,
        }, cancellationToken);
    }

    /// <summary>USER and PASS; both must be +OK.</summary>
    public async Task LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        await SendAsync("USER " + user + "\r\n", cancellationToken);
        await ExpectOkAsync("USER", cancellationToken);
        await SendAsync("PASS " + password + "\r\n", cancellationToken);
        await ExpectOkAsync("PASS", cancellationToken);
    }

    /// <summary>STAT: the message count and size.</summary>
    public async Task<(int Count, long Size)> StatAsync(CancellationToken cancellationToken)
    {
        await SendAsync("STAT\r\n"u8.ToArray(), cancellationToken);
        var line = await ExpectOkAsync("STAT", cancellationToken);
        var parts = Encoding.ASCII.GetString(line.Span).Split(' ');
        if (parts.Length < 3 || !int.TryParse(parts[1], out var count) || !long.TryParse(parts[2], out var size))
        {
            throw new Pop3CheckException("STAT reply is not '+OK n size': " + Encoding.ASCII.GetString(line.Span));
        }

        return (count, size);
    }

    /// <summary>LIST: the sizes of messages 1..n (index 0 is message 1); the listing must be complete and in order.</summary>
    public async Task<long[]> ListAsync(int expected, CancellationToken cancellationToken)
    {
        await SendAsync("LIST\r\n"u8.ToArray(), cancellationToken);
        await ExpectOkAsync("LIST", cancellationToken);
        var sizes = new List<long>(expected);
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line.Span.SequenceEqual("."u8))
            {
                break;
            }

            var parts = Encoding.ASCII.GetString(line.Span).Split(' ');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var number) || !long.TryParse(parts[1], out var size) || number != sizes.Count + 1)
            {
                throw new Pop3CheckException("LIST line is not 'n size' in order: " + Encoding.ASCII.GetString(line.Span));
            }

            sizes.Add(size);
        }

        if (sizes.Count != expected)
        {
            throw new Pop3CheckException($"LIST gave {sizes.Count} messages, STAT said {expected}.");
        }

        return sizes.ToArray();
    }

    /// <summary>RETR n: the status line, then the body, un-stuffed, whose octets must equal <paramref name="size"/>.</summary>
    public async Task RetrAsync(int number, long size, CancellationToken cancellationToken)
    {
        await SendAsync(Encoding.ASCII.GetBytes($"RETR {number}\r\n"), cancellationToken);
        await ExpectOkAsync("RETR", cancellationToken);
        var octets = await ReadBodyAsync(cancellationToken);
        if (octets != size)
        {
            throw new Pop3CheckException($"RETR {number} gave {octets} octets after un-stuffing; LIST said {size}.");
        }
    }

    /// <summary>QUIT, then waits for the server to close, so the TIME_WAIT lands on the server's side.</summary>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        await SendAsync("QUIT\r\n"u8.ToArray(), cancellationToken);
        await ExpectOkAsync("QUIT", cancellationToken);
        while (await ReceiveAsync(cancellationToken) > 0)
        {
            throw new Pop3CheckException("Data after the QUIT reply.");
        }
    }

    /// <summary>Sends raw bytes.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (_tls is not null)
        {
            await _tls.WriteAsync(bytes, cancellationToken);
            return;
        }

        while (!bytes.IsEmpty)
        {
            var sent = await _socket.SendAsync(bytes, SocketFlags.None, cancellationToken);
            bytes = bytes[sent..];
        }
    }

    private Task SendAsync(string text, CancellationToken cancellationToken) => SendAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    /// <summary>Reads one reply line that must start with +OK; returns it without CRLF (valid until the next read).</summary>
    public async Task<ReadOnlyMemory<byte>> ExpectOkAsync(string what, CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken);
        if (!line.Span.StartsWith("+OK"u8) || (line.Length > 3 && line.Span[3] != (byte)' '))
        {
            throw new Pop3CheckException($"{what}: expected +OK, got '{Encoding.ASCII.GetString(line.Span[..Math.Min(line.Length, 120)])}'");
        }

        return line;
    }

    /// <summary>Reads a multi-line body up to ".CRLF"; returns its octets after un-stuffing, CRLFs included.</summary>
    public async Task<long> ReadBodyAsync(CancellationToken cancellationToken)
    {
        long octets = 0;
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            while (true)
            {
                var lf = span.IndexOf((byte)'\n');
                if (lf < 0)
                {
                    break;
                }

                // A line is never split from its CR: only whole lines are consumed, and compaction keeps the partial one.
                if (lf == 0 || span[lf - 1] != (byte)'\r')
                {
                    throw new Pop3CheckException("A body line ends in a bare LF.");
                }

                var length = lf + 1;
                if (span[0] == (byte)'.')
                {
                    if (length == 3)
                    {
                        _start += 3;
                        return octets;
                    }

                    length--;
                }

                octets += length;
                _start += lf + 1;
                span = span[(lf + 1)..];
            }

            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Reads one line (without CRLF); the bytes are valid until the next read.</summary>
    public async Task<ReadOnlyMemory<byte>> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                if (lf == 0 || span[lf - 1] != (byte)'\r')
                {
                    throw new Pop3CheckException("A reply line ends in a bare LF.");
                }

                var line = _buffer.AsMemory(_start, lf - 1);
                _start += lf + 1;
                return line;
            }

            await FillAsync(cancellationToken);
        }
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= BufferSize)
            {
                throw new Pop3CheckException($"A line longer than {BufferSize} octets.");
            }

            Grow();
        }

        if (await ReceiveAsync(cancellationToken) == 0)
        {
            throw new Pop3CheckException("The server closed the connection in the middle of a reply.");
        }
    }

    private async Task<int> ReceiveAsync(CancellationToken cancellationToken)
    {
        var read = _tls is not null
            ? await _tls.ReadAsync(_buffer.AsMemory(_end), cancellationToken)
            : await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        Received += read;
        if (_end == _buffer.Length && _buffer.Length < BufferSize)
        {
            Grow();
        }

        return read;
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, BufferSize));
        _buffer.AsSpan(0, _end).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public async ValueTask DisposeAsync()
    {
        if (_tls is not null)
        {
            await _tls.DisposeAsync();
        }

        _socket.Dispose();
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
