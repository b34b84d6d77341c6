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
    public static Pop3ClientWorkarounds Parse(string? names)
    {
        var result = Pop3ClientWorkarounds.None;
        foreach (var name in (names ?? "").Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            result |= name.ToLowerInvariant() switch
            {
                "outlook-no-nuls" => Pop3ClientWorkarounds.OutlookNoNuls,
                "oe-ns-eoh" => Pop3ClientWorkarounds.OeNsEoh,
                _ => throw new InvalidOperationException($"{Key}: unknown workaround '{name}'; known: outlook-no-nuls, oe-ns-eoh."),
            };
        }

        return result;
    }

    /// <summary>
    /// Wraps the maildrop registered so far with the workarounds named in <c>Pop3:ClientWorkarounds</c> (none: nothing
    /// changes). Call it after the maildrop is registered.
    /// </summary>
    public static Pop3ServerBuilder AddClientWorkarounds(this Pop3ServerBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return builder.AddClientWorkarounds(Parse(configuration[Key]));
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
