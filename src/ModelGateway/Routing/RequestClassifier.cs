using ModelGateway.Pipeline;
using ModelGateway.Sensitivity;

namespace ModelGateway.Routing;

/// <summary>
/// The classification step, run once per request before routing: the sensitivity level (the client's header, the
/// key's and team's defaults, and what the content detectors find in every string of the body), the metadata and
/// tags rules match on, and the one prompt-token estimate every later stage uses. Content that cannot be read is
/// restricted: doubt fails closed.
/// </summary>
internal sealed class RequestClassifier
{
    private readonly CompiledPolicies _policies;

    public RequestClassifier(CompiledPolicies policies) => _policies = policies;

    public RequestClassification Classify(GatewayRequest request)
    {
        var policy = _policies.For(request.Snapshot);
        SensitivityLevel? headerLevel = null;
        if (request.Hints.Sensitivity is { } headerValue)
        {
            if (!SensitivityNames.TryParse(headerValue, out var parsed))
            {
                return new RequestClassification
                {
                    Level = SensitivityLevel.Restricted,
                    DetectedLevel = SensitivityLevel.Restricted,
                    FiredDetectors = 0,
                    Detectors = policy.Detectors,
                    PromptTokens = PromptTokenEstimator.BytesEstimate(request.Body.Length),
                    Refusal = RoutingErrors.InvalidSensitivityHeader(RequestHints.SensitivityHeader),
                };
            }

            headerLevel = parsed;
        }

        var scan = ContentScanner.Scan(request.Body.Span, request.Operation, policy.Detectors, policy.UsesMetadata);
        var detected = scan.Unreadable ? SensitivityLevel.Restricted : policy.Detectors.LevelOf(scan.Fired);
        SensitivityLevel? keyLevel = policy.KeyDefaults.TryGetValue(request.Caller.KeyId, out var keyDefault) ? keyDefault : null;
        SensitivityLevel? teamLevel = request.Caller.TeamId is { } team && policy.TeamDefaults.TryGetValue(team, out var teamDefault) ? teamDefault : null;
        var callerLevel = SensitivityNames.Max(keyLevel ?? SensitivityLevel.Public, teamLevel ?? SensitivityLevel.Public);
        var level = SensitivityNames.Max(detected, SensitivityNames.Max(headerLevel ?? SensitivityLevel.Public, callerLevel));
        level = SensitivityNames.Max(level, request.InheritedSensitivity ?? SensitivityLevel.Public);

        return new RequestClassification
        {
            Level = level,
            HeaderLevel = headerLevel,
            KeyLevel = keyLevel,
            TeamLevel = teamLevel,
            DetectedLevel = detected,
            FiredDetectors = scan.Fired,
            Detectors = policy.Detectors,
            PromptTokens = policy.UsesTokenizer
                ? PromptTokenEstimator.Estimate(request.Body.Span, useTokenizer: true)
                : scan.EstimatedPromptTokens,
            Metadata = scan.Metadata,
            Tags = policy.UsesMetadata && request.Hints.Tags is { } tags ? ParseTags(tags) : null,
        };
    }

    /// <summary>Reads <c>k=v, k2=v2</c>.</summary>
    internal static List<KeyValuePair<string, string>> ParseTags(string value)
    {
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            tags.Add(equals < 0
                ? new KeyValuePair<string, string>(part, string.Empty)
                : new KeyValuePair<string, string>(part[..equals].Trim(), part[(equals + 1)..].Trim()));
        }

        return tags;
    }
}
