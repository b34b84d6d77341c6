using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs the Maildir store into a POP3 server.</summary>
public static class MaildirPop3ServerBuilderExtensions
{
    /// <summary>
    /// Serves each user's Maildir (see <see cref="MaildirOptions"/>, section <c>Pop3:Maildir</c>, checked at
    /// start-up) as the <see cref="IMaildrop"/>, replacing any maildrop registered before. The Maildir locks
    /// (<see cref="MaildirLocks"/>, whose lock file is opened at start-up) and the listings kept between logins
    /// (<see cref="MaildirListingCache"/>) are one each for the process. Mail is delivered (LMTP) into the same Maildirs.
    /// </summary>
    public static Pop3ServerBuilder AddMaildir(this Pop3ServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddPop3Settings<MaildirOptions>(MaildirOptions.SectionName)
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MaildirOptions>, MaildirOptionsValidator>());
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MaildirListingCache>();
        services.TryAddSingleton<MaildirLocks>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, MaildirLockStartupCheck>());
        services.RemoveAll<IMaildrop>();
        services.AddScoped<IMaildrop, MaildirMaildrop>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<Diagnostics.IPop3BackendProbe, MaildirBackendProbe>());
        services.RemoveAll<Delivery.IPop3MailDelivery>();
        services.AddSingleton<Delivery.IPop3MailDelivery, MaildirMailDelivery>();
        return builder;
    }
}
