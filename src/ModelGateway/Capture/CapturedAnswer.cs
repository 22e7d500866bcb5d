namespace ModelGateway.Capture;

/// <summary>The assistant's answer as the client received it (choice 0): its text and tool calls, whole.</summary>
internal sealed record CapturedAnswer(string? Content, IReadOnlyList<CapturedToolCall> ToolCalls, string FinishReason);

/// <summary>One tool call of the answer; <see cref="Arguments"/> is the JSON text the model wrote.</summary>
internal sealed record CapturedToolCall(string Id, string Name, string Arguments);
