namespace ModelGateway.Routing;

/// <summary>The validated guards of a canary (see <see cref="CanaryGuardsOptions"/>).</summary>
public sealed record CanaryGuards(double? MaxErrorRate, double? MaxP95LatencyMs, double? MaxTtftMs, double? MinAgreement, TimeSpan Window, int MinRequests);
