namespace ModelGateway.Capture;

/// <summary>One captured pair as the ledger database keeps it (table <c>capture</c>).</summary>
internal sealed record CaptureRow
{
    public required string RequestId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    public required string KeyId { get; init; }

    /// <summary>Empty when the key has no team (as in the request log).</summary>
    public required string TeamId { get; init; }

    /// <summary>The public model name the client asked for.</summary>
    public required string Model { get; init; }

    public required string ProviderId { get; init; }

    public required string DeploymentId { get; init; }

    public required Sensitivity.SensitivityLevel Level { get; init; }

    public required int Redactions { get; init; }

    public required int ToolCalls { get; init; }

    public required bool Streamed { get; init; }

    /// <summary>The JSONL line in the OpenAI chat fine-tuning format.</summary>
    public required string Record { get; init; }
}
