using System.Globalization;
using System.Reflection;

namespace ModelGateway.Configuration;

/// <summary>
/// Checks a configuration tree against the options type it will be bound to, before binding. The binder
/// ignores unknown names and silently drops a dictionary entry or list item whose value does not convert, so
/// a typo or a <c>"32k"</c> would remove a whole deployment or routing rule without a word. This walks every
/// key (whatever its source: JSON, environment, command line) and reports each unknown field and each value
/// that does not convert, with its full path. Names match case-insensitively, as the binder's do.
/// </summary>
internal static class ConfigSchema
{
    /// <summary>The longest duration accepted anywhere; fields on the request path have tighter bounds.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);

    private const string Root = "document";

    /// <summary>A private-use character standing in for ':' in JSON names (see <see cref="EscapeColons"/>).</summary>
    private const char ColonStandIn = '\uE000';

    /// <summary>Checks <paramref name="section"/> (whose path, for messages, is <paramref name="path"/>) against <paramref name="type"/>.</summary>
    public static void Validate(IConfigurationSection section, Type type, string path, List<string> errors) =>
        Check(section, type, path, errors);

    /// <summary>
    /// As <see cref="Validate(IConfigurationSection, Type, string, List{string})"/> for an object section, where
    /// <paramref name="extraFields"/> names sub-sections bound separately (e.g. <c>ModelGateway:Telemetry</c>).
    /// </summary>
    public static void Validate(IConfigurationSection section, Type type, string path, List<string> errors, IReadOnlyDictionary<string, Type> extraFields)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            Check(section, type, path, errors);
            return;
        }

        foreach (var child in children)
        {
            var extra = extraFields.Keys.FirstOrDefault(name => string.Equals(name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (extra is not null)
            {
                Check(child, extraFields[extra], Join(path, child.Key), errors);
            }
        }

        CheckObject(children.Where(c => !extraFields.Keys.Contains(c.Key, StringComparer.OrdinalIgnoreCase)).ToList(), type, path, errors);
    }

    /// <summary>
    /// Checks a JSON object (an admin API document or resource) the same way, so that it is held to the rules
    /// of the file and every problem is listed, not only the first the serializer meets.
    /// </summary>
    public static void Validate(System.Text.Json.Nodes.JsonObject json, Type type, string path, List<string> errors)
    {
        IConfigurationRoot configuration;
        try
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject { [Root] = EscapeColons(json) }.ToJsonString()));
            configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidDataException)
        {
            // E.g. names that differ only in case; the serializer reports it.
            return;
        }

        var found = new List<string>();
        Check(configuration.GetSection(Root), type, path, found);
        errors.AddRange(found.Select(e => e.Replace(ColonStandIn, ':')));
    }

    /// <summary>Admin ids may contain ':', which configuration keys read as nesting; a stand-in keeps them whole.</summary>
    private static System.Text.Json.Nodes.JsonNode? EscapeColons(System.Text.Json.Nodes.JsonNode? node) => node switch
    {
        System.Text.Json.Nodes.JsonObject obj => new System.Text.Json.Nodes.JsonObject(
            obj.Select(p => KeyValuePair.Create(p.Key.Replace(':', ColonStandIn), EscapeColons(p.Value)))),
        System.Text.Json.Nodes.JsonArray array => new System.Text.Json.Nodes.JsonArray([.. array.Select(EscapeColons)]),
        _ => node?.DeepClone(),
    };

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}:{key}";

    private static void Check(IConfigurationSection section, Type type, string path, List<string> errors)
    {
        var children = section.GetChildren().ToList();
        var nullable = Nullable.GetUnderlyingType(type);
        var target = nullable ?? type;
        if (IsScalar(target))
        {
            if (children.Count > 0)
            {
                errors.Add($"{path}: a single value is expected here, not a section with fields or items.");
            }
            else if (section.Value is { } value && !(value.Length == 0 && (nullable is not null || !target.IsValueType)))
            {
                CheckScalar(value, target, path, errors);
            }

            return;
        }

        if (children.Count == 0)
        {
            // A value on a section is what a JSON string or number where an object or list belongs turns into;
            // null or "" is an empty object or list ({} or []), which is fine.
            if (!string.IsNullOrEmpty(section.Value))
            {
                // The value is not echoed: a string where an object belongs may be a pasted secret (e.g. Headers).
                errors.Add($"{path}: a single value is given, but {Expected(target)} is expected here.");
            }

            return;
        }

        if (DictionaryValueType(target) is { } valueType)
        {
            foreach (var child in children)
            {
                Check(child, valueType, Join(path, child.Key), errors);
            }
        }
        else if (ListItemType(target) is { } itemType)
        {
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{Join(path, child.Key)}: a list is expected here, with items numbered 0, 1, ... (a JSON array).");
                    continue;
                }

                Check(child, itemType, Join(path, child.Key), errors);
            }
        }
        else
        {
            CheckObject(children, target, path, errors);
        }
    }

    private static void CheckObject(List<IConfigurationSection> children, Type type, string path, List<string> errors)
    {
        var properties = Properties(type);
        foreach (var child in children)
        {
            var property = Array.Find(properties, p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                errors.Add($"{Join(path, child.Key)}: unknown field{Suggestion(child.Key, properties)}; the fields here are {string.Join(", ", properties.Select(p => p.Name))}.");
                continue;
            }

            // The path keeps the name as written, so that it can be found in the file or the request body.
            Check(child, property.PropertyType, Join(path, child.Key), errors);
        }
    }

    private static void CheckScalar(string value, Type type, string path, List<string> errors)
    {
        var invariant = CultureInfo.InvariantCulture;
        string? problem = type switch
        {
            _ when type == typeof(string) => null,
            _ when type == typeof(bool) => bool.TryParse(value, out _) ? null : "is not true or false",
            _ when type == typeof(int) => Integer(value, int.MinValue, int.MaxValue),
            _ when type == typeof(long) => Integer(value, long.MinValue, long.MaxValue),
            _ when type == typeof(decimal) => decimal.TryParse(value, NumberStyles.Float, invariant, out _) ? null : "is not a number",
            _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float, invariant, out var d) && double.IsFinite(d) ? null : "is not a number",
            _ when type == typeof(TimeSpan) => Duration(value),
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, invariant, DateTimeStyles.None, out _)
                ? null : "is not a date and time such as \"2027-01-31T00:00:00Z\"",
            _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _) ? null : $"is not one of: {string.Join(", ", Enum.GetNames(type))}",
            _ => Converts(value, type) ? null : $"is not a valid {type.Name}",
        };
        if (problem is not null)
        {
            errors.Add($"{path}: '{value}' {problem}.");
        }
    }

    private static string? Integer(string value, long min, long max)
    {
        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return value.Length > 0 && value.TrimStart('-').All(char.IsAsciiDigit) ? $"is out of range ({min} to {max})" : "is not an integer";
        }

        return number < min || number > max ? $"is out of range ({min} to {max})" : null;
    }

    /// <summary>What the binder itself does for other scalar types.</summary>
    private static bool Converts(string value, Type type)
    {
        try
        {
            _ = System.ComponentModel.TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static string? Duration(string value)
    {
        if (!TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var duration))
        {
            return "is not a duration such as \"00:00:30\" (hh:mm:ss, or d.hh:mm:ss)";
        }

        return duration > MaxDuration ? $"is longer than the maximum duration, {MaxDuration:c} (1 day)" : null;
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(DateTimeOffset);

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) && type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ListItemType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        return type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
    }

    private static PropertyInfo[] Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();

    private static string Expected(Type type) =>
        DictionaryValueType(type) is not null ? "an object of entries by id"
        : ListItemType(type) is not null ? "a list (a JSON array)"
        : $"an object with fields ({string.Join(", ", Properties(type).Select(p => p.Name))})";

    /// <summary>" (did you mean 'Capabilities'?)" for a name one or two edits away from a known one.</summary>
    private static string Suggestion(string name, PropertyInfo[] properties)
    {
        var best = properties.Select(p => (p.Name, Distance: EditDistance(name.ToUpperInvariant(), p.Name.ToUpperInvariant())))
            .OrderBy(c => c.Distance).FirstOrDefault();
        return best.Name is not null && best.Distance <= 2 ? $" (did you mean '{best.Name}'?)" : "";
    }

    private static int EditDistance(string a, string b)
    {
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
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
