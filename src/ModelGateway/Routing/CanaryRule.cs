using System.Globalization;

namespace ModelGateway.Routing;

/// <summary>A validated canary: the candidate, its configured share and its guards.</summary>
public sealed record CanaryRule(string Deployment, double Percent, CanaryGuards Guards)
{
    /// <summary>
    /// Identifies this canary configuration: a guard's override holds for the configuration it was made against, and
    /// any change of the canary section (its share set again, a guard changed) starts afresh.
    /// </summary>
    public string Fingerprint { get; } = string.Join('|',
        Deployment,
        Percent.ToString("R", CultureInfo.InvariantCulture),
        Guards.MaxErrorRate?.ToString("R", CultureInfo.InvariantCulture),
        Guards.MaxP95LatencyMs?.ToString("R", CultureInfo.InvariantCulture),
        Guards.MaxTtftMs?.ToString("R", CultureInfo.InvariantCulture),
        Guards.MinAgreement?.ToString("R", CultureInfo.InvariantCulture),
        Guards.Window.Ticks.ToString(CultureInfo.InvariantCulture),
        Guards.MinRequests.ToString(CultureInfo.InvariantCulture));
}
