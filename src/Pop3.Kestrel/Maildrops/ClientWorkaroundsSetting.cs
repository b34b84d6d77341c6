using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Maildrops;

/// <summary>The <c>Pop3:ClientWorkarounds</c> setting behind <see cref="Pop3ServerBuilder.AddClientWorkarounds"/>: Dovecot's names, parsed.</summary>
internal static class ClientWorkaroundsSetting
{
    /// <summary>The configuration key: workaround names separated by spaces or commas, e.g. <c>outlook-no-nuls oe-ns-eoh</c>.</summary>
    public const string Key = "Pop3:ClientWorkarounds";

    /// <summary>Parses Dovecot's names; throws naming <see cref="Key"/> for an unknown one.</summary>
    public static Pop3ClientWorkarounds Parse(string? names) =>
        TryParse(names, out var result, out var error) ? result : throw new InvalidOperationException(error);

    /// <summary>Declares the key (an unknown name stops start-up) and wraps the maildrop registered so far.</summary>
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.Declare(new Pop3SettingDeclaration(Key, typeof(string), static value => TryParse(value, out _, out var error) ? null : error));
        if (TryParse(configuration[Key], out var workarounds, out _))
        {
            Wrap(services, workarounds);
        }
    }

    /// <summary>Wraps the maildrop registered so far with <paramref name="workarounds"/> (none: nothing changes).</summary>
    public static void Wrap(IServiceCollection services, Pop3ClientWorkarounds workarounds)
    {
        if (workarounds == Pop3ClientWorkarounds.None)
        {
            return;
        }

        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IMaildrop))
            ?? throw new InvalidOperationException("Register a maildrop before AddClientWorkarounds.");
        services.Remove(inner);
        services.AddScoped<IMaildrop>(provider => new ClientWorkaroundsMaildrop(Create(provider, inner), workarounds));
    }

    private static bool TryParse(string? names, out Pop3ClientWorkarounds result, [NotNullWhen(false)] out string? error)
    {
        result = Pop3ClientWorkarounds.None;
        error = null;
        foreach (var name in (names ?? "").Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            switch (name.ToLowerInvariant())
            {
                case "outlook-no-nuls":
                    result |= Pop3ClientWorkarounds.OutlookNoNuls;
                    break;
                case "oe-ns-eoh":
                    result |= Pop3ClientWorkarounds.OeNsEoh;
                    break;
                default:
                    error = $"{Key}: unknown workaround '{name}'; known: outlook-no-nuls, oe-ns-eoh.";
                    return false;
            }
        }

        return true;
    }

    private static IMaildrop Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (IMaildrop)(descriptor.ImplementationFactory?.Invoke(provider)
            ?? descriptor.ImplementationInstance
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
