using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>
/// Told about every upstream attempt when it ends: latency tracking, circuit breakers and metrics listen here.
/// Called on the request path, so it must be quick and must not throw.
/// </summary>
internal interface IUpstreamAttemptListener
{
    void OnAttemptCompleted(UpstreamAttempt attempt);
}

/// <summary>One finished attempt: which deployment, how it ended, and how long it took.</summary>
internal sealed record UpstreamAttempt(
    Deployment Deployment,
    Operation Operation,
    UpstreamOutcome Outcome,
    TimeSpan Duration,
    bool Streamed)
{
    /// <summary>1 for the first deployment tried; more means fallback.</summary>
    public int Number { get; init; } = 1;

    /// <summary>The public model name (or alias) the client asked for.</summary>
    public string? Model { get; init; }
}
