using ModelGateway.Requests;

namespace ModelGateway.Experiments;

/// <summary>What one shadow call (a candidate, the embeddings or the judge deployment) returned, collected off any client.</summary>
internal sealed record CallResult
{
    public bool Served { get; init; }

    /// <summary>The bounded failure label (upstream status, timeout ...); null when served cleanly.</summary>
    public string? Failure { get; init; }

    public int Status { get; init; }

    public string? ContentType { get; init; }

    public byte[] Body { get; init; } = [];

    public bool Truncated { get; init; }

    public TimeSpan Latency { get; init; }

    public TimeSpan? TimeToFirstToken { get; init; }

    public TokenUsage? Usage { get; init; }

    public decimal CostUsd { get; init; }

    public bool TimedOut { get; init; }
}
