namespace ModelGateway.Experiments;

/// <summary>
/// One comparison of a live answer with one candidate's, as stored in the ledger (<c>experiment_pairs</c>): metrics
/// only, never content. Nullable checks are null when they did not apply (no tools asked for, no schema, an answer
/// missing), so rates are over the pairs where the check means something.
/// </summary>
internal sealed record PairRecord
{
    public required string ExperimentId { get; init; }

    public required string RequestId { get; init; }

    public required DateTimeOffset Timestamp { get; init; }

    /// <summary><c>live</c> for sampled traffic, <c>replay:&lt;id&gt;</c> for a replayed dataset line.</summary>
    public string Source { get; init; } = "live";

    public required string KeyId { get; init; }

    /// <summary>Empty when the key has no team.</summary>
    public required string TeamId { get; init; }

    public required string Model { get; init; }

    public required string Protocol { get; init; }

    public bool Stream { get; init; }

    /// <summary>The experiment's sample rate when the request was sampled (to estimate the traffic it stands for).</summary>
    public double SampleRate { get; init; }

    /// <summary><c>ok</c>, <c>candidate_error</c>, <c>candidate_timeout</c>, <c>live_error</c>, <c>skipped_sensitivity</c>, <c>skipped_budget</c>, <c>skipped_unsupported</c>.</summary>
    public required string Outcome { get; init; }

    public required string LiveDeployment { get; init; }

    public required string CandidateDeployment { get; init; }

    public string? LiveFailure { get; init; }

    public double LiveLatencyMs { get; init; }

    public double? LiveTtftMs { get; init; }

    public int LivePromptTokens { get; init; }

    public int LiveCompletionTokens { get; init; }

    public decimal LiveCostUsd { get; init; }

    public string? CandidateFailure { get; init; }

    public double? CandidateLatencyMs { get; init; }

    public double? CandidateTtftMs { get; init; }

    public int CandidatePromptTokens { get; init; }

    public int CandidateCompletionTokens { get; init; }

    public decimal CandidateCostUsd { get; init; }

    /// <summary>What the embeddings and judge calls of this pair cost (shadow spend, not the candidate's price).</summary>
    public decimal EvaluationCostUsd { get; init; }

    /// <summary>The live answer called a tool (so the candidate was expected to).</summary>
    public bool? ToolExpected { get; init; }

    public bool? ToolSameFunction { get; init; }

    public bool? ToolArgumentsEqual { get; init; }

    public bool? ToolArgumentsValid { get; init; }

    /// <summary>The request asked for structured output (a JSON schema).</summary>
    public bool SchemaExpected { get; init; }

    public bool? LiveSchemaValid { get; init; }

    public bool? CandidateSchemaValid { get; init; }

    public bool? TextExactMatch { get; init; }

    /// <summary>Candidate text length over live text length.</summary>
    public double? LengthRatio { get; init; }

    /// <summary>Cosine similarity of the two answers' embeddings.</summary>
    public double? Similarity { get; init; }

    /// <summary><c>candidate</c>, <c>live</c>, <c>tie</c>, or <c>invalid</c> when the judge's answer could not be read; null when not judged.</summary>
    public string? JudgeVerdict { get; init; }

    /// <summary>Where the candidate's answer was shown to the judge: 1 (first) or 2 (second).</summary>
    public int? JudgeCandidatePosition { get; init; }
}
