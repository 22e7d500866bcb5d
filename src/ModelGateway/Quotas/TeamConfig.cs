using System.Collections.Immutable;

namespace ModelGateway.Quotas;

/// <summary>A validated team.</summary>
public sealed record TeamConfig(string Id, QuotaLimits Limits, ImmutableDictionary<string, QuotaLimits> Models, QuotaLimits? KeyDefaults);
