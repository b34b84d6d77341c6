using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pop3.Kestrel.Lmtp;

/// <summary>The LMTP listeners added to Kestrel (<c>Pop3:Lmtp:Endpoints</c>), with the addresses they are bound to once the server runs.</summary>
internal sealed class Pop3LmtpListeners
{
    private readonly List<(string Name, ListenOptions Options)> _listeners = [];

    /// <summary>Listener names in configuration order.</summary>
    public IEnumerable<string> Names
    {
        get
        {
            lock (_listeners)
            {
                return _listeners.Select(l => l.Name).ToList();
            }
        }
    }

    /// <summary>The TCP address listener <paramref name="name"/> is bound to; after start-up it has the real port even when 0 was configured.</summary>
    public IPEndPoint EndPointOf(string name = "Default") =>
        OptionsOf(name).IPEndPoint ?? throw new InvalidOperationException($"LMTP listener '{name}' is a Unix socket, not a TCP listener.");

    /// <summary>Where listener <paramref name="name"/> listens, as text: an address and port, or a Unix socket path.</summary>
    public string DescribeEndPoint(string name = "Default") => OptionsOf(name).EndPoint.ToString() ?? name;

    internal void Add(string name, ListenOptions options)
    {
        lock (_listeners)
        {
            _listeners.Add((name, options));
        }
    }

    private ListenOptions OptionsOf(string name)
    {
        lock (_listeners)
        {
            foreach (var (listenerName, options) in _listeners)
            {
                if (string.Equals(listenerName, name, StringComparison.OrdinalIgnoreCase))
                {
                    return options;
                }
            }
        }

        throw new InvalidOperationException($"No LMTP listener named '{name}' (Pop3:Lmtp:Endpoints:{name}).");
    }
}
