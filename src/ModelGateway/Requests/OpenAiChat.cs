using System.Text.Json;

namespace ModelGateway.Requests;

/// <summary>
/// A client's OpenAI chat completions request in a neutral shape that the translating adapters map to their
/// provider's format. Elements point into the parsed document, which must outlive this object.
/// </summary>
internal sealed class OpenAiChat
{
    public required IReadOnlyList<ChatTurn> Turns { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    /// <summary><c>max_completion_tokens</c>, else <c>max_tokens</c>.</summary>
    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public int N { get; init; } = 1;

    public long? Seed { get; init; }

    public double? PresencePenalty { get; init; }

    public double? FrequencyPenalty { get; init; }

    public IReadOnlyList<ToolSpec> Tools { get; init; } = [];

    public ToolChoiceKind ToolChoice { get; init; }

    public string? ToolChoiceName { get; init; }

    public bool ParallelToolCalls { get; init; } = true;

    public ResponseFormatKind ResponseFormat { get; init; }

    public string? SchemaName { get; init; }

    public JsonElement? Schema { get; init; }

    /// <summary><c>reasoning_effort</c> when set and not <c>none</c>.</summary>
    public string? ReasoningEffort { get; init; }

    public string? User { get; init; }
}

internal enum ChatRole
{
    System,
    User,
    Assistant,
    Tool,
}

/// <summary>One message: its parts, and for assistant turns the tool calls; for tool turns the call answered.</summary>
internal sealed record ChatTurn(ChatRole Role, IReadOnlyList<ContentPart> Parts, IReadOnlyList<ToolCallSpec> ToolCalls, string? ToolCallId)
{
    public string Text => Parts.Count == 1 && Parts[0].Text is { } single
        ? single
        : string.Join("\n", Parts.Where(p => p.Text is not null).Select(p => p.Text));
}

/// <summary>Text, or an image given as a URL or as base64 data with its media type.</summary>
internal sealed record ContentPart(string? Text, string? ImageUrl = null, string? MediaType = null, string? Base64Data = null)
{
    public bool IsImage => Text is null;
}

/// <summary>An assistant tool call; <see cref="Arguments"/> is the parsed JSON object.</summary>
internal sealed record ToolCallSpec(string Id, string Name, JsonElement Arguments);

internal sealed record ToolSpec(string Name, string? Description, JsonElement? Parameters);

internal enum ToolChoiceKind
{
    Default,
    Auto,
    None,
    Required,
    Named,
}

internal enum ResponseFormatKind
{
    Text,
    JsonObject,
    JsonSchema,
}
