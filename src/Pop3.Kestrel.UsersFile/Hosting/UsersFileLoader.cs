using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Hosting;

/// <summary>Reads the users file at start-up, so that bad lines are reported then rather than at the first login.</summary>
internal sealed class UsersFileLoader(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Only if the users file is still the authenticator: a later AddAuthenticator may have replaced it,
        // and then a missing users file is no reason not to start. Building it validates the options.
        _ = services.GetService<IPop3Authenticator>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
