using System.Collections;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Pop3.Kestrel.Hosting;
using Pop3.Server.Stores;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>
/// Whether a configuration key (<c>Pop3:Maildir:Path</c>) is a setting the server reads: a property path of one of
/// the options classes bound to a <c>Pop3</c> section (found by their <c>SectionName</c> constant), or one of the few
/// keys read from configuration directly.
/// </summary>
internal static class Pop3SettingKeys
{
    /// <summary>Keys read from configuration directly rather than bound to an options class.</summary>
    private static readonly string[] DirectKeys =
    [
        ConfiguredStoreExtensions.StoreKey,
        ClientWorkaroundsServerBuilderExtensions.Key,
        "Pop3:Sockets:Inline",
        "Pop3:Demo",
    ];

    private static readonly Lazy<(string[] Section, Type Options)[]> Roots = new(() =>
    [
        .. new[] { typeof(Pop3ServerOptions), typeof(Pop3.Kestrel.Maildir.MaildirOptions), typeof(Pop3.Kestrel.PostgreSql.PostgreSqlStoreOptions),
                typeof(Pop3.Kestrel.Proxy.ProxyOptions), typeof(Pop3.Kestrel.Admin.Pop3AdminOptions) }
            .Select(t => t.Assembly)
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => (Type: t, Section: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(r => r.Section is not null && (r.Section == "Pop3" || r.Section.StartsWith("Pop3:", StringComparison.Ordinal)))
            .Select(r => (r.Section!.Split(':'), r.Type)),
    ]);

    /// <summary>The options classes found, by section: what <see cref="IsKnown"/> checks against.</summary>
    public static IEnumerable<string> Sections => Roots.Value.Select(r => $"{string.Join(':', r.Section)} ({r.Options.Name})");

    /// <summary>True when <paramref name="key"/> (segments separated by ':', any case) names a setting.</summary>
    public static bool IsKnown(string key)
    {
        var segments = key.Split(ConfigurationPath.KeyDelimiter);
        if (DirectKeys.Any(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        foreach (var (section, options) in Roots.Value)
        {
            if (segments.Length > section.Length
                && section.Select((s, i) => string.Equals(s, segments[i], StringComparison.OrdinalIgnoreCase)).All(same => same)
                && Resolves(options, segments.AsSpan(section.Length)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Do <paramref name="path"/>'s segments lead from <paramref name="type"/> to a value the binder sets?</summary>
    private static bool Resolves(Type type, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty)
        {
            return true;
        }

        if (IsValue(type))
        {
            return false;
        }

        // A dictionary takes any name; a list or array any index.
        if (type.IsArray)
        {
            return int.TryParse(path[0], out _) && Resolves(type.GetElementType()!, path[1..]);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var definition
            && (definition == typeof(Dictionary<,>) || definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
        {
            return Resolves(type.GetGenericArguments()[1], path[1..]);
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            return int.TryParse(path[0], out _) && Resolves(type.GetGenericArguments()[0], path[1..]);
        }

        var name = path[0];
        var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).FirstOrDefault(p =>
            string.Equals(p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? p.Name, name, StringComparison.OrdinalIgnoreCase));
        return property is not null && (property.CanWrite || !IsValue(property.PropertyType)) && Resolves(property.PropertyType, path[1..]);
    }

    private static bool IsValue(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);
    }
}
