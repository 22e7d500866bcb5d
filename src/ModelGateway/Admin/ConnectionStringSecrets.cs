using System.Text.Json.Nodes;
using ModelGateway.Configuration;

namespace ModelGateway.Admin;

/// <summary>
/// Connection strings in the document (<c>quotas.redis</c>) may carry a password. The admin API stores and shows
/// them with every secret value replaced by <see cref="Marker"/>; the real string lives only in this process,
/// from the start-up configuration (file, environment, command line), and a redacted string written back (an
/// exported document imported again) is resolved to it. A password the start-up configuration does not hold is
/// refused: a secret written through the admin API would be stored for every admin key to read.
/// </summary>
internal static class ConnectionStringSecrets
{
    public const string Marker = "***";

    /// <summary>The document paths of connection strings, as <see cref="ConfigDiff"/> names them.</summary>
    private static readonly string[] Paths = ["quotas/redis"];

    /// <summary>Option names whose values are secrets, e.g. StackExchange.Redis <c>password=</c>.</summary>
    private static readonly string[] SecretWords = ["password", "pwd", "secret", "token", "apikey", "api-key", "access-key", "accesskey"];

    public static bool IsConnectionString(string path) => Paths.Contains(path, StringComparer.OrdinalIgnoreCase);

    /// <summary><c>host:6379,password=s3cret</c> becomes <c>host:6379,password=***</c>; <c>redis://u:p@h</c> becomes <c>redis://u:***@h</c>.</summary>
    public static string Redact(string value)
    {
        var parts = value.Split(',');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && IsSecretName(part[..equals]))
            {
                parts[i] = part[..(equals + 1)] + Marker;
                continue;
            }

            var scheme = part.IndexOf("://", StringComparison.Ordinal);
            var at = part.LastIndexOf('@');
            var colon = scheme < 0 ? -1 : part.IndexOf(':', scheme + 3);
            if (scheme >= 0 && at > scheme && colon > scheme && colon < at)
            {
                parts[i] = part[..(colon + 1)] + Marker + part[at..];
            }
        }

        return string.Join(',', parts);
    }

    /// <summary>Whether <paramref name="value"/> has a secret part (redacted or not).</summary>
    public static bool HasSecret(string value) => Redact(value) != value || value.Contains(Marker, StringComparison.Ordinal);

    /// <summary>The document with every connection string redacted, in place.</summary>
    public static JsonObject RedactDocument(JsonObject document)
    {
        foreach (var path in Paths)
        {
            var names = path.Split('/');
            JsonObject? parent = document;
            for (var i = 0; i < names.Length - 1 && parent is not null; i++)
            {
                parent = Child(parent, names[i]) as JsonObject;
            }

            var key = parent?.FirstOrDefault(p => p.Key.Equals(names[^1], StringComparison.OrdinalIgnoreCase)).Key;
            if (key is not null && parent![key] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                parent[key] = Redact(text);
            }
        }

        return document;
    }

    /// <summary>
    /// Replaces a redacted (or repeated) connection string in <paramref name="options"/> with the real one among
    /// <paramref name="known"/>; adds an error, without the value, when it holds a secret none of them has.
    /// </summary>
    public static void Resolve(GatewayOptions options, IEnumerable<string?> known, List<string> errors)
    {
        var value = options.Quotas.Redis;
        if (value is null || !HasSecret(value))
        {
            return;
        }

        foreach (var candidate in known)
        {
            if (candidate is not null && (candidate == value || Redact(candidate) == value))
            {
                options.Quotas.Redis = candidate;
                return;
            }
        }

        errors.Add("Quotas:Redis holds a password that this gateway's start-up configuration does not: a connection string's password is set " +
            $"only in the configuration file or the environment (ModelGateway__Quotas__Redis); the admin API shows it as '{Marker}'.");
    }

    private static JsonNode? Child(JsonObject parent, string name) =>
        parent.FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    private static bool IsSecretName(string name)
    {
        var trimmed = name.Trim();
        return SecretWords.Any(word => trimmed.Contains(word, StringComparison.OrdinalIgnoreCase));
    }
}
