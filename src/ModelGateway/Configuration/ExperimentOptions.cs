namespace ModelGateway.Configuration;

/// <summary>
/// One shadow experiment as configured under <c>Experiments:&lt;id&gt;</c> (or <c>/admin/v1/experiments</c>):
/// which live requests it samples, the candidate deployments each sampled request is also sent to, and the caps
/// that keep it cheap. See docs/experiments.md.
/// </summary>
public sealed class ExperimentOptions
{
    /// <summary>Whether it samples traffic now; created stopped, started and stopped by admin calls.</summary>
    public bool Enabled { get; set; }

    /// <summary>Which requests it applies to, as a routing rule matches (models, keys, teams, metadata, protocols ...).</summary>
    public ModelGateway.Routing.RouteMatchOptions Match { get; init; } = new();

    /// <summary>Deployments every sampled request is also sent to (in the background; their answers are compared, never served).</summary>
    public List<string> Candidates { get; init; } = [];

    /// <summary>Share of matching requests shadowed, 0 to 1.</summary>
    public double SampleRate { get; set; } = 0.05;

    /// <summary>Most shadow calls (candidates, embeddings, judge) in flight at once for this experiment.</summary>
    public int MaxConcurrentShadowCalls { get; set; } = 4;

    /// <summary>Most shadow spend per UTC day (USD, at the candidates' prices); past it, sampled requests are skipped and counted.</summary>
    public decimal MaxShadowSpendUsdPerDay { get; set; } = 10m;

    /// <summary>An embeddings deployment for the semantic similarity of the two answers; none skips it.</summary>
    public string? EmbeddingsDeployment { get; set; }

    /// <summary>A chat deployment that judges which answer is better (order randomised); none skips it.</summary>
    public string? JudgeDeployment { get; set; }

    /// <summary>Longest a shadow call may take before it counts as a timeout.</summary>
    public TimeSpan ShadowTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sampled requests waiting for a shadow worker; beyond this they are dropped and counted, never waited for.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>
    /// Shadow only while this process uses less than this share of the CPU it may use (0 to 1): above it sampled
    /// requests are dropped and counted (reason <c>busy</c>) so live traffic keeps the cores. 1 never pauses.
    /// </summary>
    public double MaxGatewayCpu { get; set; } = 0.5;
}
