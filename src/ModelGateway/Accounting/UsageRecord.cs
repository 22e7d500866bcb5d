using ModelGateway.Requests;

namespace ModelGateway.Accounting;

/// <summary>What one request cost. <see cref="UsageReported"/> is false when the upstream gave no usage figures.</summary>
public sealed record UsageRecord(
    string RequestId,
    string KeyId,
    string Model,
    string ProviderId,
    string DeploymentId,
    string Operation,
    TokenUsage Usage,
    bool UsageReported,
    decimal CostUsd,
    DateTimeOffset Timestamp)
{
    /// <summary>The team of the key, if it has one.</summary>
    public string? TeamId { get; init; }
}
