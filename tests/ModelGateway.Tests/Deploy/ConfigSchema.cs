using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using ModelGateway.Admin;
using ModelGateway.Configuration;
using ModelGateway.Hosting;
using ModelGateway.Telemetry;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// The gateway's configuration schema, read from its own option types, so a deployment file that sets a key the
/// gateway does not read (a typo, a renamed field) fails a test instead of being silently ignored.
/// </summary>
public static class ConfigSchema
{
    // Sections bound to their own option types; the longest prefix wins.
    private static readonly (string Prefix, Type Type)[] Sections =
    [
        (TelemetryOptions.SectionName, typeof(TelemetryOptions)),
        (ShutdownOptions.SectionName, typeof(ShutdownOptions)),
        (ModelGateway.Accounting.LedgerOptions.SectionName, typeof(ModelGateway.Accounting.LedgerOptions)),
        (GatewayOptions.SectionName, typeof(GatewayOptions)),
        (AdminOptions.SectionName, typeof(AdminOptions)),
    ];

    // Keys GatewayApp reads directly from IConfiguration.
    private static readonly string[] DirectKeys = ["Logging:Json", "Logging:QueueSize", "urls", "config", "config-reset"];

    // Environment variables that are not configuration keys but are read by the runtime or the gateway.
    private static readonly string[] KnownVariables = ["ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", GatewayApp.ConfigFileVariable, "DOTNET_USE_POLLING_FILE_WATCHER"];

    /// <summary>Whether a colon-separated key (case-insensitive, like the configuration binder) is read by the gateway.</summary>
    public static bool Exists(string key)
    {
        if (DirectKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var (prefix, type) in Sections)
        {
            if (key.Equals(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (key.StartsWith(prefix + ":", StringComparison.OrdinalIgnoreCase))
            {
                return Walk(type, key[(prefix.Length + 1)..].Split(':'));
            }
        }

        return false;
    }

    /// <summary>Whether an environment variable is a known one or names a configuration key (<c>__</c> as separator).</summary>
    public static bool IsKnownVariable(string name) =>
        KnownVariables.Contains(name, StringComparer.Ordinal) || Exists(name.Replace("__", ":", StringComparison.Ordinal));

    /// <summary>Every leaf key of a JSON configuration document, colon-separated from the root.</summary>
    public static IEnumerable<string> LeafKeys(JsonNode? node, string prefix = "")
    {
        string Join(string name) => prefix.Length == 0 ? name : prefix + ":" + name;
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                return obj.SelectMany(p => LeafKeys(p.Value, Join(p.Key)));
            case JsonArray array when array.Count > 0:
                return array.SelectMany((item, i) => LeafKeys(item, Join(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
            default:
                return [prefix];
        }
    }

    private static bool Walk(Type type, ReadOnlySpan<string> segments)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (segments.IsEmpty)
        {
            return true;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            return Walk(type.GetGenericArguments()[1], segments[1..]);
        }

        if (type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType)
        {
            return int.TryParse(segments[0], out _) && Walk(type.GetGenericArguments()[0], segments[1..]);
        }

        if (type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(DateTimeOffset))
        {
            return false;
        }

        var property = type.GetProperty(segments[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is not null && Walk(property.PropertyType, segments[1..]);
    }
}
