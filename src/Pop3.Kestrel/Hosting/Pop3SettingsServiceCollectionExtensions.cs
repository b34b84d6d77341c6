using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Strict settings: every key under <c>Pop3</c> must be one a registered options class binds, or one declared with
/// <see cref="DeclarePop3Setting"/>, and every value must convert. The first options bound from the configuration
/// check the whole <c>Pop3</c> section and fail start-up with an <see cref="OptionsValidationException"/> naming each
/// unknown key (and the known key it probably meant) and each value that does not convert (and what is accepted).
/// </summary>
public static class Pop3SettingsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="sectionName"/> (as <c>BindConfiguration</c> does,
    /// reloads included) and makes every key it binds a known setting. A property added to
    /// <typeparamref name="TOptions"/> is known with no further registration.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="sectionName">The section, e.g. <c>Pop3:Maildir</c>.</param>
    /// <returns>The options builder, to add validation.</returns>
    public static OptionsBuilder<TOptions> AddPop3Settings<TOptions>(this IServiceCollection services, string sectionName)
        where TOptions : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);
        services.DeclarePop3Setting(sectionName, typeof(TOptions));
        var options = services.AddOptions<TOptions>();

        // Before the binder runs: it would throw on the first value that does not convert, and skip silently an entry
        // of a dictionary whose value does not convert.
        options.Configure<Pop3SettingsCheck>(static (_, check) => check.ThrowIfInvalid());
        return options.BindConfiguration(sectionName);
    }

    /// <summary>
    /// Makes <paramref name="key"/> a known setting whose value must convert to <paramref name="type"/> (a value type,
    /// <see cref="string"/>, an enum, whose names are then the accepted values, or an options class): for keys read
    /// straight from <c>IConfiguration</c>, or sections bound elsewhere.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="key">The key, e.g. <c>Pop3:Store</c>.</param>
    /// <param name="type">What the key's value binds to.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection DeclarePop3Setting(this IServiceCollection services, string key, Type type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(type);
        return services.Declare(new Pop3SettingDeclaration(key, type));
    }

    internal static IServiceCollection Declare(this IServiceCollection services, Pop3SettingDeclaration declaration)
    {
        services.TryAddSingleton<Pop3SettingsCheck>();
        services.AddSingleton(declaration);
        return services;
    }
}
