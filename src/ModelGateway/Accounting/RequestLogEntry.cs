using ModelGateway.Requests;

namespace ModelGateway.Accounting;

/// <summary>
/// One row of the request log: what happened to one front-door request, whatever its outcome. Ids, names and
/// numbers only, never prompt or completion content. Empty strings stand for "none" (a request no deployment served).
/// </summary>
public sealed record RequestLogEntry
{
    public required string RequestId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public string? DecisionId { get; init; }

    public required string KeyId { get; init; }

    public string TeamId { get; init; } = "";

    /// <summary>The client-facing protocol, e.g. <c>openai</c>.</summary>
    public required string Protocol { get; init; }

    /// <summary><c>chat</c>, <c>embeddings</c>, or the path of anything else.</summary>
    public required string Operation { get; init; }

    /// <summary>The model as the client asked for it (empty when the body was never read).</summary>
    public string Model { get; init; } = "";

    /// <summary>The provider of the last deployment tried (the one that served, when one did).</summary>
    public string ProviderId { get; init; } = "";

    public string DeploymentId { get; init; } = "";

    /// <summary>True when <see cref="DeploymentId"/> served the request and its usage is billed.</summary>
    public bool Served { get; init; }

    public int Attempts { get; init; }

    public int Status { get; init; }

    /// <summary>The <c>outcome</c> label of <c>modelgateway.requests</c>: served, fell_back, rejected_quota, ...</summary>
    public required string Outcome { get; init; }

    /// <summary>The failure kind or error code, empty when none.</summary>
    public string Failure { get; init; } = "";

    public TokenUsage Usage { get; init; }

    public bool UsageReported { get; init; }

    public decimal CostUsd { get; init; }

    /// <summary>What the same tokens would have cost at the configured baseline price (0 when none is configured).</summary>
    public decimal BaselineCostUsd { get; init; }

    public double LatencyMs { get; init; }

    /// <summary>For the serving (or last) attempt: time to the first streamed chunk, else to the upstream response headers; null when unknown.</summary>
    public double? TimeToFirstByteMs { get; init; }

    /// <summary>The routed sensitivity level (public, internal, ...), when a policy routed the request.</summary>
    public string? Sensitivity { get; init; }

    /// <summary>Names of the detectors that fired, comma-separated; never the matched text.</summary>
    public string? Detectors { get; init; }

    public DateOnly Day => DateOnly.FromDateTime(Timestamp.UtcDateTime);

    public UsageRecord ToUsageRecord() =>
        new(RequestId, KeyId, Model, ProviderId, DeploymentId, Operation, Usage, UsageReported, CostUsd, Timestamp)
        {
            TeamId = TeamId.Length == 0 ? null : TeamId,
        };
}
