using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Lmtp;

namespace Pop3.Kestrel.Hosting;

/// <summary>Registers the LMTP listener behind <see cref="Pop3ServerBuilder.AddLmtp"/>.</summary>
internal static class LmtpRegistration
{
    public static void Add(IServiceCollection services)
    {
        services.AddPop3Settings<Pop3LmtpOptions>(Pop3LmtpOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3LmtpOptions>, LmtpOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, LmtpKestrelOptionsSetup>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Pop3LmtpListeners>();
        services.TryAddSingleton<LmtpReplies>();
        services.TryAddSingleton<LmtpMetrics>();
        services.TryAddSingleton<LmtpConnectionHandler>();
        services.AddMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LmtpStartupCheck>());
    }
}
