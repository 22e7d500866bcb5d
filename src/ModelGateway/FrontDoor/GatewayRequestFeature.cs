using ModelGateway.Accounting;

namespace ModelGateway.FrontDoor;

/// <summary>
/// What the gateway learned about one request as it went: who sent it, what it asked for, who served it,
/// and what it cost. Read at the end for the single structured log line and for the response headers.
/// </summary>
public sealed class GatewayRequestFeature
{
    public GatewayRequestFeature(string requestId, long startTimestamp)
    {
        RequestId = requestId;
        StartTimestamp = startTimestamp;
    }

    public string RequestId { get; }

    public long StartTimestamp { get; }

    public string KeyId { get; set; } = "-";

    /// <summary>The team of the key, when it belongs to one.</summary>
    public string? TeamId { get; set; }

    public string? Model { get; set; }

    public string? ProviderId { get; set; }

    public string? DeploymentId { get; set; }

    public TokenUsage? Usage { get; set; }

    public decimal? CostUsd { get; set; }

    /// <summary>How many upstream attempts were made (more than one means fallback).</summary>
    public int Attempts { get; set; }

    /// <summary>A short, bounded description of why the request failed, for logs; never upstream content.</summary>
    public string? Failure { get; set; }
}
