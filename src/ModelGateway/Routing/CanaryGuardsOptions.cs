namespace ModelGateway.Routing;

/// <summary>
/// Limits on the candidate's own outcomes over a sliding <see cref="Window"/> on each replica; a guard left unset is
/// not checked. None is judged before the window holds <see cref="MinRequests"/> requests (or pairs, for agreement).
/// </summary>
public sealed class CanaryGuardsOptions
{
    /// <summary>Highest share of failed attempts on the candidate, 0 to 1.</summary>
    public double? MaxErrorRate { get; set; }

    /// <summary>Highest 95th percentile of the candidate's total latency (successful attempts), in milliseconds.</summary>
    public double? MaxP95LatencyMs { get; set; }

    /// <summary>Highest 95th percentile of the candidate's time to first token (first byte when not streamed), in milliseconds.</summary>
    public double? MaxTtftMs { get; set; }

    /// <summary>Lowest agreement, 0 to 1, of the candidate's pairs in a running experiment that names it as a candidate.</summary>
    public double? MinAgreement { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    public int MinRequests { get; set; } = 20;
}
