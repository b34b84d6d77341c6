using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>With the PostgreSQL store, the guess windows and the LOGIN-DELAY history move into its database.</summary>
internal static class PostgreSqlGuardRegistration
{
    public static void AddPostgreSqlGuards(Pop3ServerBuilder builder)
    {
        builder.AddGuessStore<PostgreSqlGuessStore>();
        var services = builder.Services;
        services.RemoveAll<IPop3LoginHistory>();
        services.AddSingleton<IPop3LoginHistory, PostgreSqlLoginHistory>();
    }
}
