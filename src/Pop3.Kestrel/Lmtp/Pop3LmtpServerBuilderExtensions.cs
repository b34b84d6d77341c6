using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Lmtp;

namespace Pop3.Kestrel.Hosting;

/// <summary>Adds LMTP delivery (RFC 2033) beside the POP3 listeners.</summary>
public static class Pop3LmtpServerBuilderExtensions
{
    /// <summary>
    /// Serves LMTP on every <c>Pop3:Lmtp:Endpoints</c> entry (none by default, so nothing listens until one is
    /// configured): an MTA such as Postfix delivers through it into the store's <see cref="Delivery.IPop3MailDelivery"/>,
    /// for the users the <see cref="Delivery.IPop3UserDirectory"/> knows. Settings are checked at start-up.
    /// </summary>
    public static Pop3ServerBuilder AddLmtp(this Pop3ServerBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddPop3Settings<Pop3LmtpOptions>(Pop3LmtpOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3LmtpOptions>, LmtpOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, LmtpKestrelOptionsSetup>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Pop3LmtpListeners>();
        services.TryAddSingleton<LmtpReplies>();
        services.TryAddSingleton<LmtpMetrics>();
        services.TryAddSingleton<LmtpConnectionHandler>();
        services.AddMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, LmtpStartupCheck>());
        return builder;
    }
}
