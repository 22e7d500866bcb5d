using System.Collections.Immutable;

namespace ModelGateway.Quotas;

/// <summary>A validated team.</summary>
public sealed record TeamConfig(string Id, QuotaLimits Limits, ImmutableDictionary<string, QuotaLimits> Models, QuotaLimits? KeyDefaults)
{
    /// <summary>The team's capture choice (<c>Teams:ID:Capture</c>); null defers to the routing rule.</summary>
    public bool? Capture { get; init; }
}
