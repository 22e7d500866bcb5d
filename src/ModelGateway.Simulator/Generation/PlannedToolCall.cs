namespace ModelGateway.Simulator.Generation;

/// <summary>A tool call in a simulated reply; <see cref="Arguments"/> is a JSON object as text.</summary>
internal sealed record PlannedToolCall(string Id, string Name, string Arguments);
