namespace ModelGateway.Experiments;

/// <summary>What an answer said, whatever protocol it came in: its text and its tool calls (first choice only).</summary>
internal sealed record Answer(string Text, IReadOnlyList<AnswerToolCall> ToolCalls)
{
    public static readonly Answer Empty = new(string.Empty, []);
}

/// <summary>One tool call of an answer: the function's name and its arguments as sent (a JSON text, possibly invalid).</summary>
internal sealed record AnswerToolCall(string Name, string Arguments);
