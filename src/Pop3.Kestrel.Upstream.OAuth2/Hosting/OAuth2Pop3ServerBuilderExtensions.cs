using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Upstream;
using Pop3.Kestrel.Upstream.OAuth2;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs OAuth 2.0 upstream authentication into the gateway.</summary>
public static class OAuth2Pop3ServerBuilderExtensions
{
    /// <summary>
    /// The upstream logs in with XOAUTH2 or OAUTHBEARER using access tokens the gateway obtains itself (section
    /// <c>Pop3:Upstream:OAuth2</c>, see <see cref="OAuth2Options"/>, checked at start-up); tokens are stored encrypted in
    /// the data directory. Replaces the upstream's <see cref="IUpstreamCredentialSource"/> (call it with
    /// <c>AddPop3Upstream</c>, before or after). Adds the connect page and <c>/upstream/oauth2/users</c> to the admin listener.
    /// </summary>
    public static Pop3ServerBuilder AddUpstreamOAuth2(this Pop3ServerBuilder builder, Action<OAuth2Options>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddPop3Settings<OAuth2Options>(OAuth2Options.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OAuth2Options>, OAuth2OptionsValidator>());
        services.AddLogging();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(OAuth2Http.ClientName);
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = "pop3-oauth2-form");
        services.TryAddSingleton<OAuth2Protection>();
        services.TryAddSingleton(provider =>
        {
            var protection = provider.GetRequiredService<OAuth2Protection>();
            return new OAuth2TokenStore(protection.Provider, protection.TokenFolder, provider.GetRequiredService<ILogger<OAuth2TokenStore>>());
        });
        services.TryAddSingleton<OAuth2Endpoints>();
        services.TryAddSingleton<OAuth2Metrics>();
        services.TryAddSingleton<OAuth2TokenSource>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3AdminEndpointSource, OAuth2ConnectEndpoints>());

        // Whether the upstream backend was added before or after: the token source is what logs in upstream.
        services.RemoveAll<IUpstreamCredentialSource>();
        services.AddSingleton<IUpstreamCredentialSource, OAuth2UpstreamCredentialSource>();
        return builder;
    }
}
