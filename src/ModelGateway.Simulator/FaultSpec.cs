namespace ModelGateway.Simulator;

/// <summary>A fault to inject into the next <see cref="Count"/> provider calls.</summary>
public sealed record FaultSpec
{
    /// <summary>What the fault does.</summary>
    public FaultKind Kind { get; init; }

    /// <summary>HTTP status of a <see cref="FaultKind.Status"/> fault (400-599).</summary>
    public int Status { get; init; } = 500;

    /// <summary>Value of the <c>retry-after</c> header on a 429 or 503.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Delay before anything is sent. Applies to every kind, not only <see cref="FaultKind.Latency"/>.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Stream chunks sent before a <see cref="FaultKind.CutStream"/> or <see cref="FaultKind.TruncateStream"/>.</summary>
    public int AfterChunks { get; init; }

    /// <summary>The body of a <see cref="FaultKind.BrokenBody"/> fault: <c>truncated</c>, <c>html</c>, <c>random</c>, <c>null</c> or <c>empty</c>.</summary>
    public string? Body { get; init; }

    /// <summary>Size of the endless event of a <see cref="FaultKind.OversizedEvent"/> fault.</summary>
    public long EventBytes { get; init; }

    /// <summary>The prompt token count a <see cref="FaultKind.BadUsage"/> fault reports.</summary>
    public int PromptTokens { get; init; }

    /// <summary>How many requests the fault applies to (queued faults only).</summary>
    public int Count { get; init; } = 1;

    /// <summary>Error message of a <see cref="FaultKind.Status"/> fault; a default per status otherwise.</summary>
    public string? Message { get; init; }
}
