namespace ModelGateway.Routing.Capacity;

/// <summary>
/// <c>Deployments:{id}:Capacity</c>: when a self-hosted deployment counts as saturated, so that routing passes it
/// over for the next candidate (a rented host) until it has room again. See docs/routing.md ("Capacity").
/// </summary>
public sealed class CapacityOptions
{
    /// <summary>Requests the gateway itself has in flight to the deployment; works without a metrics endpoint.</summary>
    public int? MaxInFlight { get; set; }

    /// <summary>Requests queued on the server (its metrics' waiting gauge).</summary>
    public int? MaxWaiting { get; set; }

    /// <summary>KV-cache use, 0..1 (its metrics' cache gauge).</summary>
    public double? MaxKvCacheUsage { get; set; }

    /// <summary>Where the server's Prometheus metrics are; default: the dialect's path (<c>/metrics</c>) at the base URL's host.</summary>
    public string? MetricsUrl { get; set; }

    /// <summary>How often the metrics are read (default 1 s, at least 100 ms); a read may take as long, at least 1 s.</summary>
    public TimeSpan? PollInterval { get; set; }
}
