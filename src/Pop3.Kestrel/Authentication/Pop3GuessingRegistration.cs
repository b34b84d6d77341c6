using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Diagnostics;

namespace Pop3.Kestrel.Authentication;

/// <summary>Registers the guess limiter, its store of bans and familiar addresses, and its metrics.</summary>
internal static class Pop3GuessingRegistration
{
    public static void AddPop3Guessing(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3AuthenticationOptions>, Pop3GuessingOptionsValidator>());
        services.TryAddSingleton<Pop3LoginThrottle>();
        services.TryAddSingleton<IPop3GuessCounters, Pop3MemoryGuessCounters>();
        services.TryAddSingleton<IPop3LockoutStore, Pop3FileLockoutStore>();
        services.TryAddSingleton<Pop3GuessMetrics>();
    }
}
