namespace ModelGateway.Accounting;

/// <summary>A spend report's range and filters; dimensions are key, team, model, provider, deployment, day.</summary>
public sealed record SpendQuery(DateOnly First, DateOnly Last, IReadOnlyList<string> GroupBy)
{
    public string? KeyId { get; init; }

    public string? TeamId { get; init; }

    public string? Model { get; init; }

    public string? ProviderId { get; init; }
}
