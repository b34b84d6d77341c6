using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

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
