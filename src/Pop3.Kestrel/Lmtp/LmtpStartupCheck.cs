using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// With LMTP endpoints configured, the store must take deliveries and someone must say who exists, or the server does
/// not start (naming <c>Pop3:Lmtp:Endpoints</c>); once the listeners are bound, says where LMTP is served.
/// </summary>
internal sealed class LmtpStartupCheck(
    IServiceProvider services,
    IOptions<Pop3LmtpOptions> options,
    Pop3LmtpListeners listeners,
    IHostApplicationLifetime lifetime,
    ILogger<LmtpStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Endpoints.Count == 0)
        {
            return Task.CompletedTask;
        }

        var errors = new List<string>();
        using (var scope = services.CreateScope())
        {
            if (scope.ServiceProvider.GetService<IPop3MailDelivery>() is null)
            {
                errors.Add($"{Pop3LmtpOptions.SectionName}:Endpoints is set, but the store takes no deliveries (use the Maildir or PostgreSql store, or register an {nameof(IPop3MailDelivery)}).");
            }

            if (scope.ServiceProvider.GetService<IPop3UserDirectory>() is null)
            {
                errors.Add($"{Pop3LmtpOptions.SectionName}:Endpoints is set, but nothing says which users exist (use the users file, Pop3:Authentication:UsersFile, or register an {nameof(IPop3UserDirectory)}).");
            }
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(Pop3LmtpOptions.SectionName, typeof(Pop3LmtpOptions), errors);
        }

        lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var name in listeners.Names)
            {
                logger.Listening(listeners.DescribeEndPoint(name), name);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
