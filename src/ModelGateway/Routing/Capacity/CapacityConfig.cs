namespace ModelGateway.Routing.Capacity;

/// <summary>A deployment's validated saturation thresholds and where its load is read.</summary>
public sealed record CapacityConfig
{
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    public int? MaxInFlight { get; init; }

    public int? MaxWaiting { get; init; }

    public double? MaxKvCacheUsage { get; init; }

    /// <summary>The server's metrics endpoint; null when only the gateway's in-flight count is used.</summary>
    public Uri? MetricsUrl { get; init; }

    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;
}
