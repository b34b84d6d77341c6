using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pop3.AttackHarness;

/// <summary>A POP3 client bound to a chosen 127.x.y.z source address; it refuses any address off loopback.</summary>
internal sealed class LoopbackClient : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly StringBuilder _pending = new();

    private LoopbackClient(Socket socket) => _socket = socket;

    /// <summary>Connects from <paramref name="from"/> to <paramref name="server"/>, both on 127.0.0.0/8.</summary>
    public static async Task<LoopbackClient> ConnectAsync(IPAddress from, IPEndPoint server, CancellationToken cancellationToken) =>
        new(await OpenSocketAsync(from, server, cancellationToken));

    /// <summary>A bare connected socket, for connections that never say anything.</summary>
    public static async Task<Socket> OpenSocketAsync(IPAddress from, IPEndPoint server, CancellationToken cancellationToken)
    {
        if (!IsLoopbackV4(from) || !IsLoopbackV4(server.Address))
        {
            throw new ArgumentException($"The harness only talks to 127.0.0.0/8 (asked for {from} -> {server}).");
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(server, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>127.a.b.c for a number: a in 1..254 picks the scenario's block, the number spreads over b.c.</summary>
    public static IPAddress Address(int block, int index) =>
        new([127, (byte)block, (byte)(index / 250), (byte)(index % 250 + 1)]);

    /// <summary>One line without CRLF, or null when the server closed the connection.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var text = _pending.ToString();
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _pending.Remove(0, end + 2);
                return text[..end];
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReplyTimeout);
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer, timeout.Token);
            }
            catch (SocketException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _pending.Append(Encoding.Latin1.GetString(_buffer, 0, read));
        }
    }

    /// <summary>Sends a command and returns the first line of its reply (null when the server closed).</summary>
    public async Task<string?> CommandAsync(string line, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(Encoding.ASCII.GetBytes(line + "\r\n"), cancellationToken);
        }
        catch (SocketException)
        {
            return null;
        }

        return await ReadLineAsync(cancellationToken);
    }

    /// <summary>Reads a multi-line body up to its terminating line; false if the connection closed first.</summary>
    public async Task<bool> ReadBodyAsync(CancellationToken cancellationToken)
    {
        while (await ReadLineAsync(cancellationToken) is { } line)
        {
            if (line == ".")
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>USER/PASS; returns the reply to PASS (or to USER if it failed), null when the server closed.</summary>
    public async Task<string?> LoginAsync(string user, string password, CancellationToken cancellationToken)
    {
        var reply = await CommandAsync("USER " + user, cancellationToken);
        return reply is null || !reply.StartsWith("+OK", StringComparison.Ordinal) ? reply : await CommandAsync("PASS " + password, cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private static bool IsLoopbackV4(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] == 127;
}
