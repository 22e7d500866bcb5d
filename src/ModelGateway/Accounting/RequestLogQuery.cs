namespace ModelGateway.Accounting;

/// <summary>A page of the request log, newest first: rows in [From, To) matching every given filter, after the cursor.</summary>
public sealed record RequestLogQuery(DateTimeOffset From, DateTimeOffset To, int Limit)
{
    public string? KeyId { get; init; }

    public string? TeamId { get; init; }

    public string? Model { get; init; }

    public int? Status { get; init; }

    public string? Outcome { get; init; }

    /// <summary>Continue after this row (its timestamp and request id), from the previous page.</summary>
    public RequestLogCursor? After { get; init; }
}
