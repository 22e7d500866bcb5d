using ModelGateway.Pipeline;
using ModelGateway.Sensitivity;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>
/// How one request was routed: the rule, the sensitivity level and where it came from, the detectors that
/// fired (by name, never the text), and every candidate with its score parts or exclusion. Sent as headers,
/// logged, and returned whole by <c>POST /v1/route/explain</c>.
/// </summary>
internal sealed class RoutingDecision
{
    public required string Id { get; init; }

    public required string Model { get; init; }

    public required RouteRule Rule { get; init; }

    /// <summary>The classification step's result the decision was made on (level, its sources, detectors, prompt estimate).</summary>
    public required RequestClassification Classification { get; init; }

    public SensitivityLevel Level => Classification.Level;

    public SensitivityLevel? HeaderLevel => Classification.HeaderLevel;

    public SensitivityLevel? KeyLevel => Classification.KeyLevel;

    /// <summary>The default level of the key's team, when it has one.</summary>
    public SensitivityLevel? TeamLevel => Classification.TeamLevel;

    public SensitivityLevel DetectedLevel => Classification.DetectedLevel;

    public ulong FiredDetectors => Classification.FiredDetectors;

    public DetectorSet Detectors => Classification.Detectors;

    public int EstimatedPromptTokens => Classification.PromptTokens;

    /// <summary>In the order the candidates were considered (rule order or model priority order).</summary>
    public required CandidateVerdict[] Candidates { get; init; }

    public GatewayError? Refusal { get; init; }

    public List<string> FiredDetectorNames() => Detectors.NamesOf(FiredDetectors);
}
