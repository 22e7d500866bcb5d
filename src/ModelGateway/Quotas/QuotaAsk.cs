namespace ModelGateway.Quotas;

/// <summary>What one request asks the store to reserve, and where. Times are Unix milliseconds from the gateway's clock.</summary>
internal sealed class QuotaAsk
{
    /// <summary>Unique per request; names the reservation until it is settled or expires.</summary>
    public required string ReservationId { get; init; }

    public required long NowMs { get; init; }

    /// <summary>
    /// The quota group all <see cref="Scopes"/> belong to (<see cref="QuotaScope.GroupOf"/>): Redis keeps a group's
    /// keys on one cluster slot, so one script reserves over all of them atomically.
    /// </summary>
    public required string Group { get; init; }

    public required QuotaScope[] Scopes { get; init; }

    /// <summary>Estimated prompt tokens plus the most output tokens the request may produce.</summary>
    public required long Tokens { get; init; }

    /// <summary>The most the request may cost over its candidate deployments, in nano-USD (rounded up).</summary>
    public required long NanoUsd { get; init; }

    public required long WindowMs { get; init; }

    /// <summary>How long the reservation lives when it is never settled.</summary>
    public required long HoldMs { get; init; }

    /// <summary>The UTC day the spend counts against, <c>yyyyMMdd</c>.</summary>
    public required string Day { get; init; }

    /// <summary>The UTC month the spend counts against, <c>yyyyMM</c>.</summary>
    public required string Month { get; init; }
}
