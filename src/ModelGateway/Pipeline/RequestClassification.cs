using ModelGateway.Requests;
using ModelGateway.Sensitivity;

namespace ModelGateway.Pipeline;

/// <summary>
/// What the classification step learned about a request before routing: its sensitivity level and where the
/// level came from, the detectors that fired (names only, never the text), the metadata and tags rules match on,
/// and the one prompt-token estimate every later stage uses (routing scores, context windows, quotas).
/// </summary>
internal sealed class RequestClassification
{
    public required SensitivityLevel Level { get; init; }

    public SensitivityLevel? HeaderLevel { get; init; }

    public SensitivityLevel? KeyLevel { get; init; }

    public SensitivityLevel? TeamLevel { get; init; }

    public required SensitivityLevel DetectedLevel { get; init; }

    public required ulong FiredDetectors { get; init; }

    public required DetectorSet Detectors { get; init; }

    public required int PromptTokens { get; init; }

    public List<KeyValuePair<string, string>>? Metadata { get; init; }

    public List<KeyValuePair<string, string>>? Tags { get; init; }

    /// <summary>Set when the request cannot be classified (an invalid sensitivity header): it must be refused.</summary>
    public GatewayError? Refusal { get; init; }

    public List<string> FiredDetectorNames() => Detectors.NamesOf(FiredDetectors);
}
