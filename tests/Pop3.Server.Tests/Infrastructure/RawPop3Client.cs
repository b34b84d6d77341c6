using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>A POP3 client that shows every octet: lines are read and compared exactly as sent.</summary>
public sealed class RawPop3Client : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _pending = new();

    private RawPop3Client(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawPop3Client> ConnectAsync(IPEndPoint endPoint)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        return new RawPop3Client(tcp);
    }

    public async Task SendAsync(string text) => await SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Sends a command line and returns the first line of the reply.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadLineAsync();
    }

    /// <summary>One reply line without its CRLF.</summary>
    public async Task<string> ReadLineAsync()
    {
        var bytes = await ReadUntilAsync("\r\n"u8.ToArray());
        return Encoding.Latin1.GetString(bytes, 0, bytes.Length - 2);
    }

    /// <summary>The rest of a multi-line reply, raw, up to and including the terminating ".\r\n".</summary>
    public async Task<byte[]> ReadMultiLineBodyAsync()
    {
        while (_pending.Length < 3 && await FillAsync())
        {
        }

        if (StartsWith(".\r\n"u8))
        {
            return await ReadUntilAsync(".\r\n"u8.ToArray());
        }

        return await ReadUntilAsync("\r\n.\r\n"u8.ToArray());
    }

    /// <summary>Everything until the server closes the connection.</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await FillAsync())
        {
        }

        var text = Encoding.Latin1.GetString(_pending.ToArray());
        _pending.SetLength(0);
        return text;
    }

    /// <summary>Logs in with USER/PASS after reading the greeting.</summary>
    public async Task LoginAsync(string user = "alice", string password = "secret")
    {
        var greeting = await ReadLineAsync();
        if (!greeting.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(greeting);
        }

        await CommandAsync("USER " + user);
        var reply = await CommandAsync("PASS " + password);
        if (!reply.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(reply);
        }
    }

    /// <summary>Un-stuffs a multi-line body: drops the terminator and one leading dot of each line.</summary>
    public static byte[] Unstuff(byte[] body)
    {
        var output = new MemoryStream(body.Length);
        var lineStart = true;
        for (var i = 0; i < body.Length - 3; i++)
        {
            if (lineStart && body[i] == (byte)'.')
            {
                lineStart = false;
                continue;
            }

            output.WriteByte(body[i]);
            lineStart = body[i] == (byte)'\n';
        }

        return output.ToArray();
    }

    /// <summary>This client's address, which the server logs as the session's RemoteEndPoint.</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_tcp.Client.LocalEndPoint!;

    public void Abort() => _tcp.Client.Close(0);

    private bool StartsWith(ReadOnlySpan<byte> prefix) =>
        _pending.Length >= prefix.Length && _pending.GetBuffer().AsSpan(0, prefix.Length).SequenceEqual(prefix);

    private async Task<byte[]> ReadUntilAsync(byte[] marker)
    {
        while (true)
        {
            if (TryTake(marker) is { } taken)
            {
                return taken;
            }

            if (!await FillAsync())
            {
                throw new EndOfStreamException($"Connection closed; pending: {Encoding.Latin1.GetString(_pending.ToArray())}");
            }
        }
    }

    private byte[]? TryTake(byte[] marker)
    {
        var data = _pending.GetBuffer().AsSpan(0, (int)_pending.Length);
        var at = data.IndexOf(marker);
        if (at < 0)
        {
            return null;
        }

        var result = data[..(at + marker.Length)].ToArray();
        var rest = data[(at + marker.Length)..].ToArray();
        _pending.SetLength(0);
        _pending.Write(rest);
        return result;
    }

    private async Task<bool> FillAsync()
    {
        int read;
        try
        {
            read = await _stream.ReadAsync(_buffer);
        }
        catch (IOException)
        {
            return false;
        }

        _pending.Write(_buffer, 0, read);
        return read > 0;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
