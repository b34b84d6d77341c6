using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Walks every key under the roots of the declared settings (<c>Pop3</c>) against the declared types, like
/// <c>doveconf</c>: a key that nothing binds is refused with the known key it probably meant, a value that does not
/// convert with the values that would. Runs once, before the first options are bound.
/// </summary>
internal sealed class Pop3SettingsCheck(IConfiguration configuration, IEnumerable<Pop3SettingDeclaration> declarations)
{
    private readonly Lazy<IReadOnlyList<string>> _errors = new(() => Check(configuration, declarations));

    /// <summary>One line per problem, each naming the key at fault; empty when the settings are good.</summary>
    public IReadOnlyList<string> Errors => _errors.Value;

    /// <summary>Throws an <see cref="OptionsValidationException"/> listing <see cref="Errors"/>, if any.</summary>
    public void ThrowIfInvalid()
    {
        if (Errors.Count > 0)
        {
            throw new OptionsValidationException(Pop3ServerOptions.SectionName, typeof(Pop3ServerOptions), Errors);
        }
    }

    public static IReadOnlyList<string> Check(IConfiguration configuration, IEnumerable<Pop3SettingDeclaration> declarations)
    {
        var tree = new Node();
        foreach (var declaration in declarations)
        {
            var node = tree;
            foreach (var segment in declaration.Path.Split(':'))
            {
                node = node.Child(segment);
            }

            node.Declared.Add(declaration);
        }

        var errors = new List<string>();
        foreach (var (name, root) in tree.Children)
        {
            Walk(configuration.GetSection(name), root, [.. root.Declared.Select(Shape.Of)], errors);
        }

        return errors;
    }

    private static void Walk(IConfigurationSection section, Node? declared, List<Shape> shapes, List<string> errors)
    {
        foreach (var child in section.GetChildren())
        {
            var childDeclared = declared?.Children.GetValueOrDefault(child.Key);
            var childShapes = childDeclared is null ? [] : childDeclared.Declared.Select(Shape.Of).ToList();
            foreach (var shape in shapes)
            {
                if (shape.ChildShape(child.Key) is { } childShape)
                {
                    childShapes.Add(childShape);
                }
            }

            if (childShapes.Count == 0 && childDeclared is null)
            {
                errors.Add(Unknown(child, declared, shapes));
                continue;
            }

            if (childShapes.Count == 0 && child.Value is { Length: > 0 } given)
            {
                // A declared section's parent, such as Pop3:Sockets of Pop3:Sockets:Inline.
                errors.Add($"{child.Path} is a section: it takes keys such as {child.Path}:{childDeclared!.Children.Keys.First()}, not the value '{given}'.");
            }
            else if (child.Value is { } value && CheckValue(child.Path, value, childShapes) is { } error)
            {
                errors.Add(error);
            }

            Walk(child, childDeclared, childShapes, errors);
        }
    }

    private static string Unknown(IConfigurationSection child, Node? declared, List<Shape> shapes)
    {
        var parent = child.Path[..^child.Key.Length].TrimEnd(':');
        if (shapes.Count > 0 && shapes.All(s => s.Kind == ShapeKind.List))
        {
            return $"{child.Path} is not a known setting: the items of the list {parent} are numbered {parent}:0, {parent}:1, ...";
        }

        var known = shapes.SelectMany(s => s.Names).Concat(declared?.Children.Keys ?? Enumerable.Empty<string>()).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        if (known.Count == 0)
        {
            return $"{child.Path} is not a known setting: {parent} takes a value, not keys under it.";
        }

        var closest = known.Select(name => (Name: name, Distance: EditDistance(name, child.Key)))
            .Where(k => k.Distance <= Math.Max(1, Math.Min(3, child.Key.Length / 3)))
            .OrderBy(k => k.Distance).Select(k => k.Name).FirstOrDefault();
        return closest is not null
            ? $"{child.Path} is not a known setting; did you mean {parent}:{closest}?"
            : $"{child.Path} is not a known setting; the keys under {parent} are: {string.Join(", ", known)}.";
    }

    /// <summary>Null when one of the shapes takes the value, else why the first one does not.</summary>
    private static string? CheckValue(string path, string value, List<Shape> shapes)
    {
        string? first = null;
        foreach (var shape in shapes)
        {
            var error = shape.Kind switch
            {
                ShapeKind.Value => shape.Validate is { } validate ? validate(value) : Convert(path, value, shape),
                // JSON's empty objects and arrays arrive as an empty value.
                _ when value.Length == 0 => null,
                ShapeKind.List => $"{path} is a list: its items are {path}:0, {path}:1, ... (given '{value}').",
                _ => $"{path} is a section: it takes keys such as {path}:{shape.Names.FirstOrDefault() ?? "Name"}, not the value '{value}'.",
            };
            if (error is null)
            {
                return null;
            }

            first ??= error;
        }

        return first;
    }

    private static string? Convert(string path, string value, Shape shape)
    {
        var type = Nullable.GetUnderlyingType(shape.Type);

        // The binder takes an empty value as null only for a nullable property; a key read by hand takes it as unset.
        if ((type is not null || shape.ReadByHand) && value.Length == 0)
        {
            return null;
        }

        type ??= shape.Type;
        if (type == typeof(string))
        {
            return null;
        }

        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            var given = type.IsDefined(typeof(FlagsAttribute)) ? value.Split(',', StringSplitOptions.TrimEntries) : [value.Trim()];

            // Names only: the binder would also take "1" or "None, Implicit", which nobody means.
            return given.All(g => names.Contains(g, StringComparer.OrdinalIgnoreCase))
                ? null
                : $"{path} is '{value}'; it must be one of: {string.Join(", ", names)}.";
        }

        object? converted;
        try
        {
            converted = TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException
                                      or InvalidOperationException || e.InnerException is FormatException or OverflowException)
        {
            return $"{path} is '{value}'; it must be {Accepted(type, shape.Range)}.";
        }

        return shape.Range is { } range && !range.IsValid(converted)
            ? $"{path} is '{value}'; it must be {Accepted(type, range)}."
            : null;
    }

    private static string Accepted(Type type, RangeAttribute? range)
    {
        var bounds = range is null ? "" : string.Create(CultureInfo.InvariantCulture, $" from {range.Minimum} to {range.Maximum}");
        return type switch
        {
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(TimeSpan) => "a duration such as 00:00:30 (hh:mm:ss) or 1.00:00:00 (a day)" + bounds,
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)
                || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(sbyte)
                => "a whole number" + bounds,
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number" + bounds,
            _ => $"a {type.Name}" + bounds,
        };
    }

    internal static int EditDistance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var beforePrevious = new int[b.Length + 1];
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));

                // Two letters swapped ("Prot") count as one typo.
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], beforePrevious[j - 2] + 1);
                }
            }

            (beforePrevious, previous, current) = (previous, current, beforePrevious);
        }

        return previous[b.Length];
    }

    private sealed class Node
    {
        public Dictionary<string, Node> Children { get; } = new(StringComparer.OrdinalIgnoreCase);

        public List<Pop3SettingDeclaration> Declared { get; } = [];

        public Node Child(string name)
        {
            if (!Children.TryGetValue(name, out var node))
            {
                Children[name] = node = new Node();
            }

            return node;
        }
    }

    private enum ShapeKind
    {
        Value,
        Object,
        Dictionary,
        List,
    }

    /// <summary>What a key binds to, seen the way <c>ConfigurationBinder</c> sees it.</summary>
    private sealed class Shape
    {
        private readonly Dictionary<string, PropertyInfo> _properties = new(StringComparer.OrdinalIgnoreCase);
        private readonly Type? _element;

        private Shape(Type type, Func<string, string?>? validate, RangeAttribute? range, bool readByHand = false)
        {
            Type = type;
            ReadByHand = readByHand;
            Validate = validate;
            Range = range;
            var underlying = Nullable.GetUnderlyingType(type) ?? type;
            if (validate is not null || IsValue(underlying))
            {
                Kind = ShapeKind.Value;
            }
            else if (DictionaryValue(underlying) is { } value)
            {
                Kind = ShapeKind.Dictionary;
                _element = value;
            }
            else if (ListElement(underlying) is { } element)
            {
                Kind = ShapeKind.List;
                _element = element;
            }
            else
            {
                Kind = ShapeKind.Object;
                foreach (var property in underlying.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    // The binder sets public setters, and fills get-only collections and objects in place.
                    var settable = property.SetMethod is { IsPublic: true };
                    if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true }
                        && (settable || !IsValue(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType)))
                    {
                        _properties[property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name] = property;
                    }
                }
            }
        }

        public Type Type { get; }

        public ShapeKind Kind { get; }

        public Func<string, string?>? Validate { get; }

        public RangeAttribute? Range { get; }

        /// <summary>Declared on its own rather than bound as a property: read with <c>configuration[key]</c>.</summary>
        public bool ReadByHand { get; }

        public IEnumerable<string> Names => _properties.Keys;

        public static Shape Of(Pop3SettingDeclaration declaration) => new(declaration.Type, declaration.Validate, null, readByHand: true);

        public Shape? ChildShape(string key) => Kind switch
        {
            ShapeKind.Object when _properties.TryGetValue(key, out var property) =>
                new Shape(property.PropertyType, null, property.GetCustomAttribute<RangeAttribute>()),
            ShapeKind.Dictionary => new Shape(_element!, null, null),
            ShapeKind.List when int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _) => new Shape(_element!, null, null),
            _ => null,
        };

        private static bool IsValue(Type type) =>
            type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Guid) || type == typeof(Uri)
            || (!typeof(IEnumerable).IsAssignableFrom(type) && type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Length == 0
                && TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)));

        private static Type? DictionaryValue(Type type)
        {
            foreach (var candidate in type.GetInterfaces().Append(type))
            {
                if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() is var definition
                    && (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)))
                {
                    return candidate.GetGenericArguments()[1];
                }
            }

            return null;
        }

        private static Type? ListElement(Type type)
        {
            if (type.IsArray)
            {
                return type.GetElementType();
            }

            foreach (var candidate in type.GetInterfaces().Append(type))
            {
                if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                {
                    return candidate.GetGenericArguments()[0];
                }
            }

            return null;
        }
    }
}
