namespace ModelGateway.Simulator.OpenAi;

/// <summary>One chunk of a streamed reply: its kind, choice, tool call and text.</summary>
internal readonly record struct StreamStep(StreamStepKind Kind, int Choice, int Call = 0, string? Text = null);
