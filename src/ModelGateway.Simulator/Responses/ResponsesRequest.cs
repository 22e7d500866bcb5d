using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.Responses;

/// <summary>A parsed <c>POST /v1/responses</c> request.</summary>
/// <param name="Model">The model asked for.</param>
/// <param name="Stream">Whether the reply is an event stream.</param>
/// <param name="Store">Whether the response is kept for <c>GET</c> and <c>previous_response_id</c> (default true).</param>
/// <param name="PreviousResponseId">The stored response this one continues, or null.</param>
/// <param name="Prompt">What the reply planner needs, over the whole conversation (chain included).</param>
/// <param name="Conversation">The conversation so far, chain included, for the next continuation.</param>
/// <param name="InputItems">This request's input items as JSON, each with an id (for <c>input_items</c>).</param>
/// <param name="Echo">The request fields the response object repeats.</param>
internal sealed record ResponsesRequest(
    string Model,
    bool Stream,
    bool Store,
    string? PreviousResponseId,
    ChatPrompt Prompt,
    ConversationSummary Conversation,
    IReadOnlyList<string> InputItems,
    ResponseEcho Echo);

/// <summary>What a continuation needs of the turns before it.</summary>
/// <param name="TextBytes">UTF-8 bytes of text in every item so far.</param>
/// <param name="ItemCount">Items so far.</param>
/// <param name="LastUserText">Text of the last user message so far.</param>
/// <param name="CallIds">Every <c>call_id</c> of a function call so far.</param>
internal sealed record ConversationSummary(long TextBytes, int ItemCount, string LastUserText, IReadOnlySet<string> CallIds)
{
    public static readonly ConversationSummary Empty = new(0, 0, string.Empty, new HashSet<string>(StringComparer.Ordinal));
}

/// <summary>Request fields a response object repeats, as raw JSON (null: absent, the default is written).</summary>
internal sealed record ResponseEcho
{
    public string? Instructions { get; init; }

    public int? MaxOutputTokens { get; init; }

    public bool ParallelToolCalls { get; init; } = true;

    public string? Temperature { get; init; }

    public string? TopP { get; init; }

    public string? ToolChoice { get; init; }

    public string? Tools { get; init; }

    public string? Text { get; init; }

    public string? Metadata { get; init; }

    public string? ReasoningEffort { get; init; }

    public string? ReasoningSummary { get; init; }

    public string? PromptCacheKey { get; init; }

    public string? User { get; init; }

    /// <summary>The client asked for <c>reasoning.encrypted_content</c> in <c>include</c>.</summary>
    public bool IncludeEncryptedReasoning { get; init; }
}
