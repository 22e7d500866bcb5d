namespace ModelGateway.Simulator.Generation;

/// <summary>What the reply planner needs from a chat request, whatever wire format it came in.</summary>
internal sealed class ChatPrompt
{
    /// <summary>Text of the last user message; the seed of the reply.</summary>
    public required string LastUserText { get; init; }

    /// <summary>Content of the last message when it is a tool result, otherwise null.</summary>
    public string? ToolResultText { get; init; }

    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    public ToolChoiceMode ToolChoice { get; init; }

    public string? ToolChoiceName { get; init; }

    /// <summary>Upper bound of output tokens (visible plus reasoning), or null.</summary>
    public int? MaxOutputTokens { get; init; }

    public int ChoiceCount { get; init; } = 1;

    public bool Reasoning { get; init; }

    public bool PromptCached { get; init; }

    public required int PromptTokens { get; init; }

    /// <summary>The JSON answer a structured-output request (<c>response_format</c> json_schema) gets; null otherwise.</summary>
    public string? StructuredAnswer { get; init; }
}
