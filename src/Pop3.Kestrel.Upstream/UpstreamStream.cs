using System.Net.Sockets;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// The TCP stream to the upstream. Closing it first waits (bounded) for the upstream to hang up: a POP3 server
/// releases its mailbox lock when its session ends, which may be just after its reply to QUIT, and the next login
/// through this gateway must not find the lock still held.
/// </summary>
internal sealed class UpstreamStream(Socket upstream, TimeSpan timeout) : NetworkStream(upstream, ownsSocket: true)
{
    public static async Task<UpstreamStream> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            await socket.ConnectAsync(host, port, limit.Token);
            return new UpstreamStream(socket, timeout);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Drain();
        }

        base.Dispose(disposing);
    }

    private void Drain()
    {
        try
        {
            Socket.Shutdown(SocketShutdown.Send);
            Socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
            var buffer = new byte[512];
            while (Socket.Receive(buffer) > 0)
            {
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already gone, or too slow to hang up: closing is all that is left to do.
        }
    }
}
