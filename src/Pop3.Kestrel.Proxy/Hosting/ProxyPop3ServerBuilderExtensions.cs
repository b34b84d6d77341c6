using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Proxy;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs the upstream POP3 proxy into a POP3 server.</summary>
public static class ProxyPop3ServerBuilderExtensions
{
    /// <summary>
    /// Serves each mailbox from an upstream POP3 server (section <c>Pop3:Proxy</c>, see <see cref="ProxyOptions"/>,
    /// checked at start-up), replacing any maildrop registered before. The client's USER/PASS password is kept for the
    /// session (in <see cref="Pop3LoginCredentials"/>) so it can be passed through, unless <c>Pop3:Proxy:Password</c> is set.
    /// </summary>
    public static Pop3ServerBuilder AddPop3Proxy(this Pop3ServerBuilder builder, Action<ProxyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddPop3Settings<ProxyOptions>(ProxyOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>());
        services.AddLogging();
        services.TryAddScoped<Pop3LoginCredentials>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3BackendProbe, ProxyBackendProbe>());
        services.RemoveAll<IMaildrop>();
        services.AddScoped<IMaildrop, ProxyMaildrop>();
        return builder;
    }
}
