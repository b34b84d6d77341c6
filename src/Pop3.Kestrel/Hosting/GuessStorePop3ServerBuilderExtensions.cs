using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Hosting;

/// <summary>Moves the login guards' guess counting into a store every node shares.</summary>
public static class GuessStorePop3ServerBuilderExtensions
{
    /// <summary>
    /// Counts guesses in <typeparamref name="TStore"/> (a singleton) instead of this node's memory, so that bans,
    /// lockouts and the per user+address limit hold for every node that uses the same store.
    /// </summary>
    public static Pop3ServerBuilder AddGuessStore<TStore>(this Pop3ServerBuilder builder)
        where TStore : class, IPop3GuessStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IPop3GuessStore>();
        builder.Services.AddSingleton<IPop3GuessStore, TStore>();
        builder.Services.RemoveAll<IPop3GuessCounters>();
        builder.Services.AddSingleton<IPop3GuessCounters, Pop3StoredGuessCounters>();
        return builder;
    }
}
