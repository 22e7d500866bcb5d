namespace ModelGateway.Simulator.Control;

/// <summary>The body of <c>GET /_sim/health</c>.</summary>
internal sealed record HealthReport(string Status, string Name, bool Simulator, IReadOnlyList<string> Models);
