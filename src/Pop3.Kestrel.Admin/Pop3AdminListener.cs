using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Admin;

/// <summary>The admin listener: plain HTTP/1.1 on <c>Pop3:Admin:Address</c>/<c>Port</c>, nothing else on it.</summary>
internal sealed class Pop3AdminListener
{
    private ListenOptions? _listen;

    /// <summary>The address the admin listener is bound to (the real port once the server runs), or null without one.</summary>
    public IPEndPoint? EndPoint => _listen?.IPEndPoint;

    /// <summary>True if a request arrived on the admin listener.</summary>
    internal bool Accepts(Microsoft.AspNetCore.Http.ConnectionInfo connection) =>
        EndPoint is { } bound && connection.LocalPort == bound.Port;

    internal void Set(ListenOptions listen) => _listen = listen;
}

/// <summary>Adds the admin listener to Kestrel when <c>Pop3:Admin:Port</c> is set.</summary>
internal sealed class Pop3AdminKestrelSetup(IOptions<Pop3AdminOptions> options, Pop3AdminListener listener) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var admin = options.Value;
        if (admin.Port is not { } port)
        {
            return;
        }

        void Configure(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http1;
            listener.Set(listen);
        }

        if (!Pop3EndpointOptions.TryParseAddress(admin.Address, out var address) || address.Equals(IPAddress.IPv6Any))
        {
            kestrel.ListenAnyIP(port, Configure);
        }
        else
        {
            kestrel.Listen(address, port, Configure);
        }
    }
}

/// <summary>Checks <see cref="Pop3AdminOptions"/> at start-up.</summary>
internal sealed class Pop3AdminOptionsValidator(IOptions<Pop3ServerOptions> pop3) : IValidateOptions<Pop3AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, Pop3AdminOptions options)
    {
        var errors = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"Pop3:Admin:Port is {options.Port}; it must be between 0 and 65535, or not set for no admin listener.");
        }

        if (!Pop3EndpointOptions.TryParseAddress(options.Address, out _))
        {
            errors.Add($"Pop3:Admin:Address '{options.Address}' is not an IP address, 'localhost', '*' or 'any'.");
        }

        if (options.Port is > 0 and var port)
        {
            foreach (var (endpoint, listener) in pop3.Value.Endpoints)
            {
                if (listener.Port == port)
                {
                    errors.Add($"Pop3:Admin:Port {port} clashes with Pop3:Endpoints:{endpoint}:Port.");
                }
            }
        }

        if (options.Token is { Length: > 0 and < 16 })
        {
            errors.Add("Pop3:Admin:Token is too short; use at least 16 random characters (e.g. openssl rand -hex 32).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
