namespace ModelGateway.Pipeline;

/// <summary>The routing hints a client may send as headers, read once at the front door (raw; routing validates them).</summary>
internal readonly record struct RequestHints(string? Sensitivity, string? Tags)
{
    public const string SensitivityHeader = "x-gateway-sensitivity";
    public const string TagsHeader = "x-gateway-tags";

    public static RequestHints From(IHeaderDictionary headers) => new(
        headers.TryGetValue(SensitivityHeader, out var level) ? level.ToString() : null,
        headers.TryGetValue(TagsHeader, out var tags) ? tags.ToString() : null);
}
