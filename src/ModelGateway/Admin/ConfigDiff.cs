using System.Text.Json.Nodes;

namespace ModelGateway.Admin;

/// <summary>
/// The differences between two documents, leaf by leaf, for the audit log. Credential references and key
/// hashes are shown as changed but never with their values; connection strings with their secrets redacted.
/// </summary>
internal static class ConfigDiff
{
    private const string Redacted = "(redacted)";

    public static List<ConfigChange> Compute(JsonNode? before, JsonNode? after)
    {
        var changes = new List<ConfigChange>();
        Walk("", before, after, changes);
        return changes;
    }

    private static void Walk(string path, JsonNode? before, JsonNode? after, List<ConfigChange> changes)
    {
        if (before is JsonObject left && after is JsonObject right)
        {
            foreach (var (name, value) in left)
            {
                Walk(Child(path, name), value, right.TryGetPropertyValue(name, out var other) ? other : null, changes);
            }

            foreach (var (name, value) in right)
            {
                if (!left.ContainsKey(name))
                {
                    Walk(Child(path, name), null, value, changes);
                }
            }

            return;
        }

        if (JsonNode.DeepEquals(before, after))
        {
            return;
        }

        changes.Add(new ConfigChange(path, Shown(path, before), Shown(path, after)));
    }

    /// <summary>A stored audit entry as shown: redacted again, in case it was written before a rule existed.</summary>
    public static AuditEntry Redact(AuditEntry entry) => entry with
    {
        Changes = [.. entry.Changes.Select(c => c with { Before = Shown(c.Path, c.Before), After = Shown(c.Path, c.After) })],
    };

    private static JsonNode? Shown(string path, JsonNode? value) => value switch
    {
        null => null,
        _ when IsSecret(path) => Redacted,
        _ => Redact(value.DeepClone(), path),
    };

    /// <summary>Replaces every secret-bearing field under <paramref name="node"/> (a copy) with a marker.</summary>
    public static JsonNode Redact(JsonNode node, string path = "")
    {
        if (node is JsonObject obj)
        {
            foreach (var name in obj.Select(p => p.Key).ToList())
            {
                if (IsSecret("/" + name))
                {
                    obj[name] = Redacted;
                }
                else if (obj[name] is { } child && Redact(child, Child(path, name)) is var shown && !ReferenceEquals(shown, child))
                {
                    obj[name] = shown;
                }
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is not null)
                {
                    Redact(item, path);
                }
            }
        }
        else if (ConnectionStringSecrets.IsConnectionString(path) && node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            return ConnectionStringSecrets.Redact(text);
        }

        return node;
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : path + "/" + name;

    public static bool IsSecret(string path) =>
        path.EndsWith("/credential", StringComparison.OrdinalIgnoreCase) || path.EndsWith("/sha256", StringComparison.OrdinalIgnoreCase);
}
