using System.Text.Json.Nodes;
using ModelGateway.Configuration;

namespace ModelGateway.Admin;

/// <summary>
/// A collection of the configuration document exposed as a REST resource: where its entries live in the
/// document, how a request body becomes a stored entry (through the options class, so it is checked and
/// canonical), how an entry is shown (write-only fields removed), and who refers to an entry.
/// </summary>
internal sealed record AdminResource
{
    /// <summary>Fields shown in representations that are never accepted as input.</summary>
    private static readonly string[] ReadOnlyFields = ["id", "credentialConfigured", "effectiveTrainingUse", "etag"];

    public required string Name { get; init; }

    /// <summary>The configuration path prefix of its validation messages, e.g. <c>Providers</c>.</summary>
    public required string ErrorPrefix { get; init; }

    /// <summary>Property names from the document root to the dictionary of entries.</summary>
    public required string[] Container { get; init; }

    /// <summary>Turns an input object (no id) into a canonical stored entry; adds errors when it cannot.</summary>
    public required Func<JsonObject, string, List<string>, JsonNode?> ToEntry { get; init; }

    /// <summary>Turns a stored entry into the editable object that merge patches apply to.</summary>
    public Func<JsonNode, JsonObject> ToEditable { get; init; } = entry => entry.DeepClone().AsObject();

    /// <summary>Fields that are write-only: removed from representations, kept on replace when the body omits them.</summary>
    public string[] WriteOnly { get; init; } = [];

    /// <summary>Adds derived fields to a representation (after write-only fields are removed).</summary>
    public Action<JsonNode, JsonObject>? Decorate { get; init; }

    /// <summary>Everything that refers to the entry by id: it cannot be deleted while any remain.</summary>
    public Func<GatewayOptions, string, IEnumerable<string>> Referrers { get; init; } = (_, _) => [];

    public JsonObject Entries(JsonObject document, bool create = false)
    {
        var node = document;
        foreach (var wanted in Container)
        {
            // Documents written by hand may use the file's PascalCase names.
            var name = node.FirstOrDefault(p => string.Equals(p.Key, wanted, StringComparison.OrdinalIgnoreCase)).Key ?? wanted;
            if (node[name] is JsonObject child)
            {
                node = child;
            }
            else if (create)
            {
                node[name] = child = new JsonObject();
                node = child;
            }
            else
            {
                return new JsonObject();
            }
        }

        return node;
    }

    public JsonObject Represent(string id, JsonNode entry)
    {
        var editable = ToEditable(entry);
        var representation = new JsonObject { ["id"] = id };
        foreach (var (name, value) in editable)
        {
            if (!WriteOnly.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                representation[name] = value?.DeepClone();
            }
        }

        Decorate?.Invoke(entry, representation);
        return representation;
    }

    /// <summary>The body without the fields that only representations carry.</summary>
    public static JsonObject Input(JsonObject body)
    {
        var input = body.DeepClone().AsObject();
        foreach (var name in input.Select(p => p.Key).Where(n => ReadOnlyFields.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList())
        {
            input.Remove(name);
        }

        return input;
    }

    public static AdminResource For<T>(string name, string errorPrefix, params string[] container)
        where T : class => new()
    {
        Name = name,
        ErrorPrefix = errorPrefix,
        Container = container,
        ToEntry = (input, id, errors) => ConfigDocument.Canonical<T>(input, $"{errorPrefix}:{id}", errors),
    };
}
