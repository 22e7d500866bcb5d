using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelGateway.Configuration;

namespace ModelGateway.Admin;

/// <summary>
/// The configuration document: the <c>ModelGateway</c> section as camel-case JSON. Conversions go through the
/// options classes, so a document always has the canonical shape, and an unknown or mistyped field is an error
/// named by its path instead of a value silently dropped.
/// </summary>
internal static class ConfigDocument
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,

        // Fill the options' own collections, which carry the right key comparers (e.g. case-insensitive headers).
        PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
        Converters = { new FiniteDoubleConverter() },
    };

    /// <summary>Written to disk and Redis: compact, but still the same shape.</summary>
    public static readonly JsonSerializerOptions Storage = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonObject FromOptions(GatewayOptions options) => JsonSerializer.SerializeToNode(options, Json)!.AsObject();

    /// <summary>Parses <paramref name="node"/> as <typeparamref name="T"/>; on failure adds one error named by its JSON path.</summary>
    public static T? ToOptions<T>(JsonNode? node, string path, List<string> errors)
        where T : class
    {
        if (node is JsonObject json)
        {
            // Every unknown field and mistyped value at once, with its path (the serializer stops at the first).
            var count = errors.Count;
            ConfigSchema.Validate(json, typeof(T), path, errors);
            if (errors.Count > count)
            {
                return null;
            }
        }

        try
        {
            var value = node is null ? null : node.Deserialize<T>(Json);
            if (value is null)
            {
                errors.Add($"{path}: a JSON object is required.");
            }

            return value;
        }
        catch (JsonException ex)
        {
            errors.Add($"{Join(path, ex.Path)} {Describe(ex)}");
            return null;
        }
    }

    /// <summary>Parses and re-serializes, so that casing, defaults and key order are the canonical ones.</summary>
    public static JsonNode? Canonical<T>(JsonNode? node, string path, List<string> errors)
        where T : class
    {
        var value = ToOptions<T>(node, path, errors);
        return value is null ? null : JsonSerializer.SerializeToNode(value, Json);
    }

    /// <summary>A strong ETag over the canonical JSON of one resource.</summary>
    public static string ETag(JsonNode? node)
    {
        var bytes = Encoding.UTF8.GetBytes(node?.ToJsonString(Storage) ?? "null");
        return "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12)) + "\"";
    }

    public static string VersionETag(long version) => $"\"v{version}\"";

    private static string Join(string path, string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$")
        {
            return path.Length == 0 ? "document:" : path + ":";
        }

        // "$.price.inputPerMillion" -> "Deployments:x:price:inputPerMillion"
        var suffix = jsonPath.TrimStart('$').Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal)
            .Replace('.', ':').Trim(':');
        return suffix.Length == 0 ? path + ":" : path.Length == 0 ? suffix : $"{path}:{suffix}";
    }

    private static string Describe(JsonException ex)
    {
        // The serializer's messages name .NET types; keep the part an operator can act on.
        var message = ex.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var start = message.IndexOf('\'', StringComparison.Ordinal);
            var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
            return end > start ? $"unknown field '{message[(start + 1)..end]}'." : "unknown field.";
        }

        return ex.InnerException is FormatException or InvalidOperationException || message.Contains("could not be converted", StringComparison.Ordinal)
            ? "has a value of the wrong type or format (numbers, booleans, lists, objects and durations like \"00:00:30\" are expected where documented)."
            : "is not valid JSON for this field.";
    }
}
