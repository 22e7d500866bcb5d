namespace ModelGateway.Requests;

/// <summary>
/// The facts about a chat completions request that routing, accounting and forwarding need, read in one pass
/// over the client's bytes, plus the byte positions of the fields an adapter may rewrite. Everything else in the
/// body stays as the client sent it. A legacy completions body has the same stream and usage fields, so its facts
/// are one of these too (with no tools, images or schema).
/// </summary>
internal sealed class ChatRequest
{
    public required string Model { get; init; }

    /// <summary>Where the <c>model</c> string token (quotes included) sits in the body.</summary>
    public required JsonSpan ModelToken { get; init; }

    public bool Stream { get; init; }

    /// <summary>The client asked for the usage chunk with <c>stream_options.include_usage</c>.</summary>
    public bool ClientWantsStreamUsage { get; init; }

    /// <summary>The <c>stream_options</c> object, braces included, when present.</summary>
    public JsonSpan? StreamOptions { get; init; }

    /// <summary>The value token of <c>stream_options.include_usage</c>, when present.</summary>
    public JsonSpan? IncludeUsageValue { get; init; }

    /// <summary><c>max_completion_tokens</c>, or the deprecated <c>max_tokens</c>.</summary>
    public int? MaxOutputTokens { get; init; }

    public bool UsesTools { get; init; }

    public bool UsesImages { get; init; }

    public bool UsesJsonSchema { get; init; }
}
