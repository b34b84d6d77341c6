using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Upstream;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs the upstream gateway into a POP3 server: every mailbox lives on another POP3 or IMAP server.</summary>
public static class UpstreamPop3ServerBuilderExtensions
{
    /// <summary>
    /// Serves each mailbox from an upstream server (section <c>Pop3:Upstream</c>, see <see cref="UpstreamOptions"/>,
    /// checked at start-up), replacing any maildrop registered before. The client's password is kept for the session
    /// (in <see cref="Pop3LoginCredentials"/>) so it can be passed through, unless <c>Pop3:Upstream:Password</c> is set.
    /// What is presented upstream is decided by an <see cref="IUpstreamCredentialSource"/>: the configured or passed-through
    /// password unless the application registers its own (before this call, or after it, which replaces it). While the
    /// client's password is passed through, only USER/PASS, AUTH PLAIN and AUTH LOGIN are offered (APOP or another
    /// configured mechanism stops start-up).
    /// The former section <c>Pop3:Proxy</c> is still read, with a deprecation warning at start-up.
    /// </summary>
    public static Pop3ServerBuilder AddPop3Upstream(this Pop3ServerBuilder builder, Action<UpstreamOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddPop3Settings<UpstreamOptions>(UpstreamOptions.SectionName).ValidateOnStart();
        services.DeclarePop3Setting(UpstreamOptions.LegacySectionName, typeof(UpstreamOptions));
        options.Configure<IConfiguration>(static (settings, configuration) =>
        {
            var legacy = configuration.GetSection(UpstreamOptions.LegacySectionName);
            if (legacy.Exists())
            {
                // The old section first, then the new one again, so a key set in both keeps its Pop3:Upstream value.
                legacy.Bind(settings);
                configuration.GetSection(UpstreamOptions.SectionName).Bind(settings);
            }
        });
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, UpstreamDeprecationNotice>());
        services.AddLogging();
        services.TryAddScoped<Pop3LoginCredentials>();
        services.TryAddSingleton<IUpstreamCredentialSource, ConfiguredUpstreamCredentialSource>();
        services.TryAddSingleton<UpstreamPassThroughLogins>();
        services.AddSingleton<IPostConfigureOptions<Pop3AuthenticationOptions>>(static sp => sp.GetRequiredService<UpstreamPassThroughLogins>());
        services.AddSingleton<IValidateOptions<Pop3AuthenticationOptions>>(static sp => sp.GetRequiredService<UpstreamPassThroughLogins>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3BackendProbe, UpstreamBackendProbe>());
        services.TryAddSingleton<UidValidityRegistry>();
        services.TryAddSingleton<UpstreamMailboxLocks>();
        services.TryAddSingleton<UpstreamMetrics>();
        services.AddMetrics();
        services.RemoveAll<IMaildrop>();
        services.AddScoped<IMaildrop>(static provider => CreateMaildrop(provider));
        return builder;
    }

    private static IMaildrop CreateMaildrop(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<UpstreamOptions>>();
        var source = provider.GetRequiredService<IUpstreamCredentialSource>();
        var credentials = provider.GetService<Pop3LoginCredentials>();
        var metrics = provider.GetRequiredService<UpstreamMetrics>();
        return options.Value.Protocol == UpstreamProtocol.Imap
            ? new ImapUpstreamMaildrop(options, source, provider.GetRequiredService<ILogger<ImapUpstreamMaildrop>>(), credentials)
            {
                Validities = provider.GetRequiredService<UidValidityRegistry>(),
                Locks = provider.GetRequiredService<UpstreamMailboxLocks>(),
                Metrics = metrics,
            }
            : new Pop3UpstreamMaildrop(options, source, provider.GetRequiredService<ILogger<Pop3UpstreamMaildrop>>(), credentials) { Metrics = metrics };
    }
}
