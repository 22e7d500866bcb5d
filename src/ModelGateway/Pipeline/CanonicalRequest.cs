using ModelGateway.Requests;

namespace ModelGateway.Pipeline;

/// <summary>A request in the canonical form the translating adapters read: OpenAI chat completions (or embeddings) bytes and their facts.</summary>
/// <param name="Body">The canonical bytes.</param>
/// <param name="Chat">The chat facts of <paramref name="Body"/>; null for embeddings.</param>
/// <param name="ModelToken">Where the model name sits in <paramref name="Body"/>.</param>
/// <param name="Dropped">The client's fields the canonical form cannot carry (comma-separated), reported on translated answers; null when none.</param>
internal sealed record CanonicalRequest(RequestBody Body, ChatRequest? Chat, JsonSpan ModelToken, string? Dropped = null);
