using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Pop3.Kestrel.Hosting;

/// <summary>The POP3 listeners the library added to Kestrel, with the addresses they are bound to once the server runs.</summary>
internal sealed class Pop3Listeners
{
    private readonly List<(string Name, ListenOptions Options)> _listeners = [];

    /// <summary>Listener names in configuration order.</summary>
    public IEnumerable<string> Names => _listeners.Select(l => l.Name);

    /// <summary>
    /// The address listener <paramref name="name"/> is bound to; after start-up this has the real port
    /// even when port 0 was configured.
    /// </summary>
    public IPEndPoint EndPointOf(string name = "Default")
    {
        foreach (var (listenerName, options) in _listeners)
        {
            if (string.Equals(listenerName, name, StringComparison.OrdinalIgnoreCase))
            {
                return options.IPEndPoint ?? throw new InvalidOperationException($"Listener '{name}' is not an IP listener.");
            }
        }

        throw new InvalidOperationException($"No POP3 listener named '{name}' (Pop3:Endpoints:{name}).");
    }

    internal void Add(string name, ListenOptions options)
    {
        lock (_listeners)
        {
            _listeners.Add((name, options));
        }
    }
}
