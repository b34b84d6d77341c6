using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Hosting;

/// <summary><c>Pop3:DrainTimeout</c> becomes the host's shutdown timeout, which is how long Kestrel waits for open connections.</summary>
internal sealed class Pop3DrainSetup(IOptions<Pop3ServerOptions> options) : IConfigureOptions<HostOptions>
{
    public void Configure(HostOptions host) => host.ShutdownTimeout = options.Value.DrainTimeout;
}
