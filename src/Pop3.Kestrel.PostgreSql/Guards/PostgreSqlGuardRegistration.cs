using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>With the PostgreSQL store, the guess windows and the LOGIN-DELAY history move into its database.</summary>
internal static class PostgreSqlGuardRegistration
{
    public static void AddPostgreSqlGuards(IServiceCollection services)
    {
        services.RemoveAll<IPop3GuessCounters>();
        services.AddSingleton<IPop3GuessCounters, PostgreSqlGuessCounters>();
        services.RemoveAll<IPop3LoginHistory>();
        services.AddSingleton<IPop3LoginHistory, PostgreSqlLoginHistory>();
    }
}
