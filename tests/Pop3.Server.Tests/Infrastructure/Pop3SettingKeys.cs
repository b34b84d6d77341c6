using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Pop3.Kestrel.Hosting;
using Pop3.Server.Hosting;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>
/// Asks the server's own settings check, over the options and keys its services declare when registered the way
/// Program registers them, whether settings would be accepted: the same check that refuses a misspelt key at start-up.
/// </summary>
internal static class Pop3SettingKeys
{
    /// <summary>What the settings check says about <paramref name="settings"/>: empty when the server would accept them.</summary>
    public static IReadOnlyList<string> Errors(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return Pop3SettingsCheck.Check(configuration, ServerDeclarations(configuration));
    }

    /// <summary>True when <paramref name="key"/> (segments separated by ':') names a setting of the server, whatever its value.</summary>
    public static bool IsKnown(string key) =>
        key.StartsWith("Pop3:", StringComparison.OrdinalIgnoreCase)
        && !Errors((key, "1")).Any(error => error.StartsWith(key + " is not a known setting", StringComparison.OrdinalIgnoreCase)
            || error.StartsWith(key + " is a section", StringComparison.OrdinalIgnoreCase)
            || error.StartsWith(key + " is a list", StringComparison.OrdinalIgnoreCase));

    /// <summary>What the server declares: its services registered the way Program registers them.</summary>
    public static IEnumerable<Pop3SettingDeclaration> ServerDeclarations(IConfiguration configuration)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.AddServerServices();
        return builder.Services.Select(d => d.ImplementationInstance).OfType<Pop3SettingDeclaration>().ToList();
    }
}
