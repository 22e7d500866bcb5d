namespace ModelGateway.Simulator.Generation;

/// <summary>A callable function and the JSON arguments the simulator will call it with.</summary>
internal sealed record ToolDefinition(string Name, string Arguments);
