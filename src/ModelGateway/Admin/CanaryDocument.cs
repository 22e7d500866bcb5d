using System.Text.Json.Nodes;

namespace ModelGateway.Admin;

/// <summary>Edits of a routing rule's <c>canary</c> in the configuration document (field names matched without regard to case).</summary>
internal static class CanaryDocument
{
    /// <summary>The rule's entry and its canary object, or the failure (404) when either is missing.</summary>
    public static AdminFailure? Find(JsonObject document, string id, out JsonObject route, out JsonObject canary)
    {
        route = null!;
        canary = null!;
        if (!AdminResources.Routes.Entries(document).TryGetPropertyValue(id, out var entry) || entry is not JsonObject found)
        {
            return AdminFailure.NotFound($"routes/{id}");
        }

        route = found;
        if (found[Name(found, "canary")] is not JsonObject section)
        {
            return AdminFailure.NotFound($"routes/{id}/canary");
        }

        canary = section;
        return null;
    }

    /// <summary>The field's name as the document spells it, or <paramref name="name"/> when it is absent.</summary>
    public static string Name(JsonObject node, string name) =>
        node.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Key ?? name;

    public static double Percent(JsonObject canary) =>
        canary[Name(canary, "percent")] is JsonValue value && value.TryGetValue<double>(out var percent) ? percent : 0;

    public static string? Deployment(JsonObject canary) =>
        canary[Name(canary, "deployment")] is JsonValue value && value.TryGetValue<string>(out var id) ? id : null;

    public static void SetPercent(JsonObject canary, double percent) => canary[Name(canary, "percent")] = percent;
}
