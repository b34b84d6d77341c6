using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Upstream;

/// <summary>For <c>/readyz</c>: the upstream accepts a TCP connection. Says nothing when another maildrop is in use.</summary>
internal sealed class UpstreamBackendProbe(IMaildrop maildrop, IOptions<UpstreamOptions> options) : IPop3BackendProbe
{
    public async ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        if (maildrop is not (Pop3UpstreamMaildrop or ImapUpstreamMaildrop))
        {
            return null;
        }

        var settings = options.Value;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(settings.Timeout);
        try
        {
            await socket.ConnectAsync(settings.Host, settings.EffectivePort, limit.Token);
            return null;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return $"upstream {settings.Host}:{settings.EffectivePort} ({UpstreamOptions.SectionName}): {e.GetType().Name}";
        }
    }
}
