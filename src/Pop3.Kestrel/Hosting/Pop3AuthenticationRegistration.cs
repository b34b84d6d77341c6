using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.Commands;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Hosting;

/// <summary>Registers logins beyond USER/PASS: SASL AUTH, APOP, UTF8, the plaintext policy, brute-force defence, limits, LOGIN-DELAY.</summary>
internal static class Pop3AuthenticationRegistration
{
    public static void AddPop3Authentication(IServiceCollection services)
    {
        services.AddPop3Settings<Pop3AuthenticationOptions>(Pop3AuthenticationOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<Pop3AuthenticationOptions>, MechanismListSetup>());
        services.DeclarePop3Setting(Pop3AuthenticationOptions.SectionName + ":" + nameof(Pop3AuthenticationOptions.Mechanisms), typeof(string));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3AuthenticationOptions>, Pop3AuthenticationOptionsValidator>());
        services.AddPop3Settings<Pop3LimitsOptions>(Pop3LimitsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3LimitsOptions>, Pop3LimitsOptionsValidator>());

        Pop3GuessingRegistration.AddPop3Guessing(services);
        services.TryAddSingleton<Pop3ConnectionGate>();
        services.TryAddSingleton<IPop3LoginHistory, InMemoryLoginHistory>();
        services.TryAddSingleton<Pop3LoginGuard>();
        services.TryAddScoped<Pop3LoginState>();
        services.TryAddSingleton<Pop3SecretSource>();
        services.TryAddSingleton<Pop3SaslMechanisms>();

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3SaslMechanism, PlainMechanism>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3SaslMechanism, LoginMechanism>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3SaslMechanism, CramMd5Mechanism>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3SaslMechanism, ScramSha256Mechanism>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3SaslMechanism, ExternalMechanism>());

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3CapabilityProvider, Pop3AuthenticationCapabilities>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPop3GreetingSuffix, ApopGreeting>());
        services.AddSingleton<IPop3CommandHandler, AuthCommandHandler>();
        services.AddSingleton<IPop3CommandHandler, ApopCommandHandler>();
        services.AddSingleton<IPop3CommandHandler, Utf8CommandHandler>();
    }

    /// <summary>Also reads <c>Pop3:Authentication:Mechanisms</c> written as one string ("PLAIN LOGIN"), which the binder skips.</summary>
    private sealed class MechanismListSetup(IConfiguration? configuration = null) : IConfigureOptions<Pop3AuthenticationOptions>
    {
        public void Configure(Pop3AuthenticationOptions options)
        {
            if (configuration?.GetSection(Pop3AuthenticationOptions.SectionName + ":" + nameof(Pop3AuthenticationOptions.Mechanisms)).Value is { Length: > 0 } list)
            {
                options.Mechanisms = [list];
            }
        }
    }
}
