using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pop3.Kestrel.Maildir;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Opens the shared Maildir lock file when the host starts, so an unusable location stops the server with the
/// setting at fault instead of failing every login.
/// </summary>
internal sealed class MaildirLockStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Resolving is the check: the constructor opens the file, and its error names Pop3:Maildir:LockFile.
        _ = services.GetRequiredService<MaildirLocks>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
