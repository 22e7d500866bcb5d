namespace ModelGateway.Quotas;

/// <summary>Validated limits of one scope; null means unlimited. USD amounts are whole nano-dollars (1e-9 USD).</summary>
public sealed record QuotaLimits(int? RequestsPerWindow, long? TokensPerWindow, int? ConcurrentRequests, long? NanoUsdPerDay, long? NanoUsdPerMonth)
{
    public static readonly QuotaLimits None = new(null, null, null, null, null);

    public bool IsUnlimited => this == None;
}
