namespace ModelGateway.Simulator.Generation;

/// <summary>One choice of a simulated reply: words of text, or tool calls.</summary>
internal sealed class ReplyChoice
{
    public required int Index { get; init; }

    /// <summary>The visible words; one streamed content chunk each. Empty for a tool reply.</summary>
    public IReadOnlyList<string> Words { get; init; } = [];

    public IReadOnlyList<PlannedToolCall> ToolCalls { get; init; } = [];

    public required ReplyFinish Finish { get; init; }

    public required int OutputTokens { get; init; }

    public string Text => string.Join(' ', Words);
}
