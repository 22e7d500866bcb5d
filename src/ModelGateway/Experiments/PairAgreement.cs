using ModelGateway.Routing.Canaries;

namespace ModelGateway.Experiments;

/// <summary>
/// Whether a candidate agreed with the live answer, for a canary's agreement floor: the same tool (when tools were
/// offered), a valid structured answer (when a schema was asked for), else similar text (similarity at least
/// <see cref="SimilarityAgreement"/>, or equal normalised text without an embeddings deployment).
/// </summary>
internal static class PairAgreement
{
    public const double SimilarityAgreement = 0.9;

    /// <summary>Null when the pair says nothing about agreement (a failed or skipped call, a replayed line).</summary>
    public static bool? Agrees(PairRecord pair) =>
        pair.Outcome != "ok" || pair.Source != "live" ? null
        : pair.ToolExpected is not null ? pair.ToolSameFunction
        : pair.SchemaExpected ? pair.CandidateSchemaValid
        : pair.Similarity is { } similarity ? similarity >= SimilarityAgreement
        : pair.TextExactMatch;

    /// <summary>Hands the pair to the canary guards of its candidate.</summary>
    public static void Report(CanaryMonitor? canaries, PairRecord pair)
    {
        if (canaries is not null && Agrees(pair) is { } agrees)
        {
            canaries.OnPair(pair.CandidateDeployment, agrees);
        }
    }
}
