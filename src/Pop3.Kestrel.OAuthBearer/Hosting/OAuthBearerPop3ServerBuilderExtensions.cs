using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.OAuthBearer;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs bearer-token logins (OAUTHBEARER and XOAUTH2) into a POP3 server.</summary>
public static class OAuthBearerPop3ServerBuilderExtensions
{
    /// <summary>
    /// Adds the SASL mechanisms OAUTHBEARER (RFC 7628) and XOAUTH2, which take a signed JWT access token: issuer, audience
    /// and keys from <c>Pop3:Authentication:OAuth</c> (<see cref="OAuthBearerOptions"/>). They are offered only once
    /// those are set, and like every mechanism that sends a secret, only where the plaintext policy allows.
    /// </summary>
    public static Pop3ServerBuilder AddOAuthBearer(this Pop3ServerBuilder builder) => builder.AddOAuthBearer(static _ => { });

    /// <summary>As <see cref="AddOAuthBearer(Pop3ServerBuilder)"/>, then <paramref name="configure"/> on top of the configuration.</summary>
    public static Pop3ServerBuilder AddOAuthBearer(this Pop3ServerBuilder builder, Action<OAuthBearerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddPop3Settings<OAuthBearerOptions>(OAuthBearerOptions.SectionName).Configure(configure);
        services.TryAddSingleton<BearerTokenValidator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3SaslMechanism, OAuthBearerMechanism>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3SaslMechanism, XOAuth2Mechanism>());
        return builder;
    }
}
