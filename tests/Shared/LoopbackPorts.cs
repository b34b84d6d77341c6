using System.Net;
using System.Net.Sockets;

namespace Pop3.Tests;

/// <summary>Loopback ports for programs that cannot listen on port 0 and say which port they got (Dovecot, PostgreSQL, Postfix, PgBouncer).</summary>
internal static class LoopbackPorts
{
    /// <summary>A port the system just gave out and took back.</summary>
    public static int Take() => Take(1)[0];

    /// <summary>
    /// <paramref name="count"/> distinct ports the system just gave out and took back. All are held until the last is
    /// given: taken one at a time, the same port can come back twice (a Dovecot with two listeners on one port will not start).
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listeners.Add(listener);
                listener.Start();
            }

            return [.. listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
