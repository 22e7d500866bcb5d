namespace ModelGateway.Capture;

/// <summary>What an export with the same filters holds: counts overall and by model, deployment, level and key.</summary>
internal sealed record CaptureManifest
{
    public required long Records { get; init; }

    public required long Bytes { get; init; }

    public required long Redacted { get; init; }

    public required long WithToolCalls { get; init; }

    public DateTimeOffset? First { get; init; }

    public DateTimeOffset? Last { get; init; }

    public required IReadOnlyList<(string Name, long Records)> ByModel { get; init; }

    public required IReadOnlyList<(string Name, long Records)> ByDeployment { get; init; }

    public required IReadOnlyList<(string Name, long Records)> ByLevel { get; init; }

    public required IReadOnlyList<(string Name, long Records)> ByKey { get; init; }
}
