using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.Upstream;

namespace Pop3.Server.Stores;

/// <summary>Picks the backend from configuration, so Program stays one line per concern.</summary>
public static class ConfiguredStoreExtensions
{
    /// <summary>The configuration key that names the store.</summary>
    public const string StoreKey = "Pop3:Store";

    /// <summary>The upstream store's name before it was <c>Upstream</c>: accepted for one more release, with a warning at start-up.</summary>
    private const string LegacyUpstreamName = "Proxy";

    /// <summary>The store named by <c>Pop3:Store</c> (<c>Maildir</c> when absent); an unknown name stops start-up, naming the key.</summary>
    public static Pop3Store SelectedStore(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration[StoreKey];
        return string.IsNullOrWhiteSpace(name)
            ? Pop3Store.Maildir
            : TryParse(name, out var store) ? store : throw new InvalidOperationException(WhyNot(name));
    }

    // Names only: Enum.TryParse alone would also take "2" and "Maildir,Upstream".
    private static bool TryParse(string name, out Pop3Store store)
    {
        name = name.Trim();
        if (string.Equals(name, LegacyUpstreamName, StringComparison.OrdinalIgnoreCase))
        {
            store = Pop3Store.Upstream;
            return true;
        }

        var match = Enum.GetNames<Pop3Store>().FirstOrDefault(known => string.Equals(known, name, StringComparison.OrdinalIgnoreCase));
        store = match is null ? default : Enum.Parse<Pop3Store>(match);
        return match is not null;
    }

    private static string WhyNot(string name) => $"{StoreKey} is '{name}'; it must be one of: {string.Join(", ", Enum.GetNames<Pop3Store>())}.";

    /// <summary>
    /// Registers the store named by <c>Pop3:Store</c>. A maildrop the application registers afterwards replaces it.
    /// Every built-in store's section is a known setting, so switching stores is one key; an unknown store name stops
    /// start-up with the other settings' errors.
    /// </summary>
    public static Pop3ServerBuilder AddConfiguredStore(this Pop3ServerBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Declare(new Pop3SettingDeclaration(StoreKey, typeof(string), static name => string.IsNullOrWhiteSpace(name) || TryParse(name, out _) ? null : WhyNot(name)))
            .DeclarePop3Setting(MaildirOptions.SectionName, typeof(MaildirOptions))
            .DeclarePop3Setting(PostgreSqlStoreOptions.SectionName, typeof(PostgreSqlStoreOptions))
            .DeclarePop3Setting(UpstreamOptions.SectionName, typeof(UpstreamOptions))
            .DeclarePop3Setting(UpstreamOptions.LegacySectionName, typeof(UpstreamOptions));
        Pop3Store store;
        try
        {
            store = SelectedStore(configuration);
        }
        catch (InvalidOperationException)
        {
            // Reported by the settings check at start-up, naming the key and the stores.
            store = Pop3Store.Maildir;
        }

        return store switch
        {
            Pop3Store.PostgreSql => builder.AddPostgreSql(),
            Pop3Store.Upstream => builder.AddPop3Upstream(),
            _ => builder.AddMaildir(),
        };
    }
}
