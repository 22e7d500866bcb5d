using ModelGateway.FrontDoor;
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

    public required SensitivityLevel Level { get; init; }

    public SensitivityLevel? HeaderLevel { get; init; }

    public SensitivityLevel? KeyLevel { get; init; }

    /// <summary>The default level of the key's team, when it has one.</summary>
    public SensitivityLevel? TeamLevel { get; init; }

    public required SensitivityLevel DetectedLevel { get; init; }

    public required ulong FiredDetectors { get; init; }

    public required DetectorSet Detectors { get; init; }

    public required int EstimatedPromptTokens { get; init; }

    /// <summary>In the order the candidates were considered (rule order or model priority order).</summary>
    public required CandidateVerdict[] Candidates { get; init; }

    public GatewayError? Refusal { get; init; }

    public List<string> FiredDetectorNames() => Detectors.NamesOf(FiredDetectors);
}
