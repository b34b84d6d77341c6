using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>Computes the CAPA reply (RFC 2449 §5) per state from what this server really does.</summary>
internal sealed class Pop3Capabilities(IOptions<Pop3ServerOptions> options, IEnumerable<IPop3CapabilityProvider> providers, IEnumerable<Pop3VerbRegistration> verbs, IServiceProvider services)
{
    private readonly Pop3ServerOptions _options = options.Value;
    private readonly IPop3CapabilityProvider[] _providers = providers.ToArray();

    // The last registration of a verb wins, as in the command table.
    private readonly (string Tag, Pop3CommandStates States)[] _added =
        [.. verbs.GroupBy(v => v.Verb, StringComparer.OrdinalIgnoreCase).Select(g => g.Last()).Where(v => v.Capability is not null).Select(v => (v.Capability!, v.States))];
    private readonly Lazy<Pop3AuthenticationOptions?> _authentication = new(() => services.GetService<IOptions<Pop3AuthenticationOptions>>()?.Value);
    private readonly bool _variesByUser = services.GetService<IServiceProviderIsService>()?.IsService(typeof(IPop3UserPolicy)) == true;

    /// <summary>Writes the whole CAPA reply for the session's current state.</summary>
    public void Write(Pop3SessionContext context)
    {
        context.Write(Pop3Replies.CapaHeader);
        context.Write("TOP\r\n"u8);
        if (context.State == Pop3SessionState.Authorization && (_authentication.Value?.AllowsPlaintext(context.Connection) ?? true))
        {
            context.Write("USER\r\n"u8);
        }

        context.Write("UIDL\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"u8);
        var loggedIn = context.State != Pop3SessionState.Authorization;
        var suffix = !loggedIn && _variesByUser ? " USER" : "";

        var expire = loggedIn ? context.UserSettings.Expire ?? _options.Expire : _options.Expire;
        context.WriteAscii("EXPIRE " + expire.ToUpperInvariant() + suffix);

        var delay = loggedIn ? context.UserSettings.LoginDelaySeconds ?? _options.LoginDelay : _options.LoginDelay;
        if (delay > 0 || suffix.Length > 0)
        {
            context.WriteAscii("LOGIN-DELAY " + delay.ToString(CultureInfo.InvariantCulture) + suffix);
        }

        if (_options.Implementation.Length > 0 && (loggedIn || _options.ShowImplementationBeforeLogin))
        {
            context.WriteAscii("IMPLEMENTATION " + _options.Implementation);
        }

        foreach (var provider in _providers)
        {
            provider.WriteCapabilities(context);
        }

        // A verb added through AddCommand<T>() is announced where it may run.
        var state = loggedIn ? Pop3CommandStates.Transaction : Pop3CommandStates.Authorization;
        foreach (var (tag, states) in _added)
        {
            if ((states & state) != 0)
            {
                context.WriteAscii(tag);
            }
        }

        context.Write(Pop3Replies.Terminator);
    }

    internal static bool IsValidExpire(string value) =>
        string.Equals(value, "NEVER", StringComparison.OrdinalIgnoreCase)
        || (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days >= 0);
}
