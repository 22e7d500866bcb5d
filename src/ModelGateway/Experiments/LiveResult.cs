using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Experiments;

/// <summary>How the live request ended, and the beginning of its answer as the client received it.</summary>
internal sealed record LiveResult
{
    /// <summary>The deployment that served the client; null when none did.</summary>
    public Deployment? ServedBy { get; init; }

    public int Status { get; init; }

    public string? ContentType { get; init; }

    public byte[] Body { get; init; } = [];

    public bool Truncated { get; init; }

    public TimeSpan Latency { get; init; }

    public TimeSpan? TimeToFirstToken { get; init; }

    public TokenUsage? Usage { get; init; }

    public decimal CostUsd { get; init; }

    /// <summary>The failure label when the live request failed (or its stream ended badly); null otherwise.</summary>
    public string? Failure { get; init; }

    /// <summary>A reference answer from a dataset line (replay), not a call: no deployment, latency or cost.</summary>
    public bool Reference { get; init; }

    /// <summary>The client went away: there is no whole answer to compare with.</summary>
    public bool ClientGone { get; init; }
}
