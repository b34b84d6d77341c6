using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Pop3.AttackHarness;

/// <summary>
/// Connections that never send a byte, spread over <c>addresses</c> source addresses of 127.<c>block</c>.x.y. Each
/// slot notices when the server closes its connection and, with <c>reconnect</c>, opens another at once.
/// </summary>
internal sealed class SilentFlood(IPEndPoint server, int block, int count, int addresses, bool reconnect) : IDisposable
{
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly SemaphoreSlim _connecting = new(64);
    private int _opened;
    private int _firstRound;
    private int _closedByServer;
    private int _connectFailures;

    /// <summary>Connections opened, re-openings included.</summary>
    public int Opened => Volatile.Read(ref _opened);

    /// <summary>Connections the server closed.</summary>
    public int ClosedByServer => Volatile.Read(ref _closedByServer);

    public int ConnectFailures => Volatile.Read(ref _connectFailures);

    /// <summary>Connections open now.</summary>
    public int Open => _sockets.Count;

    /// <summary>Runs every slot until <paramref name="cancellationToken"/> (or, without reconnecting, until each was closed once).</summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() => SlotAsync(i, cancellationToken), CancellationToken.None)));

    /// <summary>Waits until every slot has opened its first connection (or tried to); false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitOpenedAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref _firstRound) < count)
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(100, cancellationToken);
        }

        return true;
    }

    public void Dispose()
    {
        foreach (var socket in _sockets.Keys)
        {
            socket.Dispose();
        }

        _connecting.Dispose();
    }

    private async Task SlotAsync(int slot, CancellationToken cancellationToken)
    {
        var from = LoopbackClient.Address(block, slot % addresses);
        var buffer = new byte[256];
        var first = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                await _connecting.WaitAsync(cancellationToken);
                try
                {
                    socket = await LoopbackClient.OpenSocketAsync(from, server, cancellationToken);
                }
                finally
                {
                    _connecting.Release();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref _connectFailures);
                if (first)
                {
                    Interlocked.Increment(ref _firstRound);
                    first = false;
                }

                if (!reconnect)
                {
                    return;
                }

                await Task.Delay(50, CancellationToken.None);
                continue;
            }

            Interlocked.Increment(ref _opened);
            if (first)
            {
                Interlocked.Increment(ref _firstRound);
                first = false;
            }

            _sockets[socket] = 0;
            try
            {
                // Read whatever the server says (the greeting, a last -ERR) until it closes.
                while (await socket.ReceiveAsync(buffer, cancellationToken) > 0)
                {
                }

                Interlocked.Increment(ref _closedByServer);
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref _closedByServer);
            }
            catch (OperationCanceledException)
            {
                // The scenario is over.
            }
            finally
            {
                _sockets.TryRemove(socket, out _);
                socket.Dispose();
            }

            if (!reconnect)
            {
                return;
            }
        }
    }
}
