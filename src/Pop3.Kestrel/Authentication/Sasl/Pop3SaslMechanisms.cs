using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// The SASL mechanisms this server offers: the registered ones that are available, limited to
/// <see cref="Pop3AuthenticationOptions.Mechanisms"/> when it is set, and on each connection to those its
/// security state allows.
/// </summary>
internal sealed class Pop3SaslMechanisms
{
    private readonly IPop3SaslMechanism[] _mechanisms;
    private readonly Pop3AuthenticationOptions _options;

    /// <summary>Orders <paramref name="mechanisms"/> as configured (or as registered when nothing is configured).</summary>
    public Pop3SaslMechanisms(IEnumerable<IPop3SaslMechanism> mechanisms, IOptions<Pop3AuthenticationOptions> options)
    {
        _options = options.Value;
        var all = mechanisms.ToArray();
        var configured = Pop3SaslNames.Split(_options.Mechanisms);
        _mechanisms = configured.Length == 0
            ? all
            : configured.Select(name => all.LastOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)))
                .OfType<IPop3SaslMechanism>().Distinct().ToArray();
    }

    /// <summary>The names of every registered mechanism, available or not (for validating configuration).</summary>
    internal static IEnumerable<string> RegisteredNames(IEnumerable<IPop3SaslMechanism> mechanisms) => mechanisms.Select(m => m.Name);

    /// <summary>The mechanisms a client may use on <paramref name="context"/>'s connection now.</summary>
    public IEnumerable<IPop3SaslMechanism> Offered(Pop3SessionContext context)
    {
        var plaintext = _options.AllowsPlaintext(context.Connection);
        foreach (var mechanism in _mechanisms)
        {
            if (mechanism.IsAvailable && (plaintext || !mechanism.SendsPlaintext))
            {
                yield return mechanism;
            }
        }
    }

    /// <summary>The configured, available mechanism called <paramref name="name"/> (any case), whatever the connection's security.</summary>
    public IPop3SaslMechanism? Find(ReadOnlySpan<byte> name)
    {
        foreach (var mechanism in _mechanisms)
        {
            if (mechanism.IsAvailable && Ascii.EqualsIgnoreCase(name, mechanism.Name))
            {
                return mechanism;
            }
        }

        return null;
    }
}

/// <summary>Mechanism lists as written in configuration: "PLAIN LOGIN", "PLAIN,LOGIN", or one name per list entry.</summary>
internal static class Pop3SaslNames
{
    public static string[] Split(IEnumerable<string> entries) =>
        entries.SelectMany(entry => entry.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(name => name.ToUpperInvariant())
            .Distinct(StringComparer.Ordinal)
            .ToArray();
}

/// <summary>
/// Where SASL mechanisms and APOP find users' secrets: an <see cref="IPop3SecretProvider"/> registered on its own,
/// or else the <see cref="IPop3Authenticator"/> if it is one.
/// </summary>
internal sealed class Pop3SecretSource(IServiceProvider services)
{
    private readonly Lazy<IPop3SecretProvider?> _provider = new(() =>
        services.GetServices<IPop3SecretProvider>().LastOrDefault() ?? services.GetService<IPop3Authenticator>() as IPop3SecretProvider);

    public IPop3SecretProvider? Provider => _provider.Value;

    public bool Has(Pop3SecretKinds kinds) => Provider is { } provider && (provider.AvailableSecrets & kinds) != 0;
}
