using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Hosting;

/// <summary>Opt-in client workarounds (Dovecot's <c>pop3_client_workarounds</c>).</summary>
public static class ClientWorkaroundsServerBuilderExtensions
{
    /// <summary>The configuration key: workaround names separated by spaces or commas, e.g. <c>outlook-no-nuls oe-ns-eoh</c>.</summary>
    public const string Key = "Pop3:ClientWorkarounds";

    /// <summary>Parses Dovecot's names; throws naming <see cref="Key"/> for an unknown one.</summary>
    public static Pop3ClientWorkarounds Parse(string? names) =>
        TryParse(names, out var result, out var error) ? result : throw new InvalidOperationException(error);

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

    /// <summary>
    /// Wraps the maildrop registered so far with the workarounds named in <c>Pop3:ClientWorkarounds</c> (none: nothing
    /// changes). Call it after the maildrop is registered. An unknown name stops start-up, with the other settings' errors.
    /// </summary>
    public static Pop3ServerBuilder AddClientWorkarounds(this Pop3ServerBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        builder.Services.Declare(new Pop3SettingDeclaration(Key, typeof(string), static value => TryParse(value, out _, out var error) ? null : error));
        return TryParse(configuration[Key], out var workarounds, out _) ? builder.AddClientWorkarounds(workarounds) : builder;
    }

    /// <summary>Wraps the maildrop registered so far with <paramref name="workarounds"/>.</summary>
    public static Pop3ServerBuilder AddClientWorkarounds(this Pop3ServerBuilder builder, Pop3ClientWorkarounds workarounds)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (workarounds == Pop3ClientWorkarounds.None)
        {
            return builder;
        }

        var services = builder.Services;
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IMaildrop))
            ?? throw new InvalidOperationException("Register a maildrop before AddClientWorkarounds.");
        services.Remove(inner);
        services.AddScoped<IMaildrop>(provider => new ClientWorkaroundsMaildrop(Create(provider, inner), workarounds));
        return builder;
    }

    private static IMaildrop Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        (IMaildrop)(descriptor.ImplementationFactory?.Invoke(provider)
            ?? descriptor.ImplementationInstance
            ?? ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!));
}
