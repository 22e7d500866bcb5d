namespace ModelGateway.Simulator.Faults;

/// <summary>Checks a <see cref="FaultSpec"/>; the same rules apply to the API, the control API and the header.</summary>
internal static class FaultValidator
{
    public const int MaxLatencyMs = 600_000;

    public const long MaxEventBytes = 1L << 30;

    /// <summary>Returns why the fault is invalid, or null when it is valid.</summary>
    public static string? Validate(FaultSpec fault) => fault switch
    {
        _ when !Enum.IsDefined(fault.Kind) => $"Unknown fault kind '{fault.Kind}'.",
        { Kind: FaultKind.Status, Status: < 400 or > 599 } => "A status fault needs a status between 400 and 599.",
        { Kind: FaultKind.Latency, LatencyMs: <= 0 } => "A latency fault needs latencyMs > 0.",
        { LatencyMs: < 0 or > MaxLatencyMs } => $"latencyMs must be between 0 and {MaxLatencyMs}.",
        { RetryAfterSeconds: < 0 } => "retryAfterSeconds must not be negative.",
        { AfterChunks: < 0 } => "afterChunks must not be negative.",
        { Kind: FaultKind.BrokenBody } when !BrokenBodies.IsKnown(fault.Body) => "A broken-body fault needs body truncated, html, random, null or empty.",
        { Kind: FaultKind.OversizedEvent, EventBytes: < 1 or > MaxEventBytes } => $"An oversized-event fault needs eventBytes between 1 and {MaxEventBytes}.",
        { Count: < 1 } => "count must be at least 1.",
        _ => null,
    };
}
