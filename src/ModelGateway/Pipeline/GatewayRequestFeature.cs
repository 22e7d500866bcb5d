using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Pipeline;

/// <summary>
/// What the gateway learned about one request as it went: who sent it, what it asked for, who served it,
/// and what it cost. Read at the end for the single structured log line and for the response headers.
/// </summary>
public sealed class GatewayRequestFeature
{
    public GatewayRequestFeature(string requestId, long startTimestamp)
    {
        RequestId = requestId;
        StartTimestamp = startTimestamp;
    }

    public string RequestId { get; }

    public long StartTimestamp { get; }

    public string KeyId { get; set; } = "-";

    /// <summary>The inbound protocol of an inference request (from its path); null for anything else.</summary>
    public Requests.InboundProtocol? Protocol { get; set; }

    /// <summary>The configuration snapshot the request runs under, taken once when the caller was authenticated.</summary>
    public Configuration.GatewaySnapshot? Snapshot { get; set; }

    /// <summary>The authenticated caller; null before (or without) authentication.</summary>
    internal Caller? Caller { get; set; }

    /// <summary>The team the client key belongs to, when it belongs to one; a metrics and log label.</summary>
    public string? TeamId { get; set; }

    public string? Model { get; set; }

    public string? ProviderId { get; set; }

    public string? DeploymentId { get; set; }

    public TokenUsage? Usage { get; set; }

    public decimal? CostUsd { get; set; }

    /// <summary>False when the upstream gave no usage figures and <see cref="Usage"/> is the gateway's estimate.</summary>
    public bool UsageReported { get; set; }

    /// <summary>For the serving (or last) attempt: time to the first streamed chunk, else to the upstream response headers.</summary>
    public TimeSpan? TimeToFirstByte { get; set; }

    /// <summary>The sensitivity level routing applied, when a policy routed the request.</summary>
    public Sensitivity.SensitivityLevel? Sensitivity { get; set; }

    /// <summary>Names of the detectors that fired, comma-separated (never the matched text); null when none did.</summary>
    public string? FiredDetectors { get; set; }

    /// <summary>The routing decision's id, when a policy decided the route (sent as <c>x-gateway-decision-id</c>).</summary>
    public string? DecisionId { get; set; }

    /// <summary>The routing rule that matched, for the request log line (the decision's detail is logged at Debug).</summary>
    public string? RuleId { get; set; }


    /// <summary>How many upstream attempts were made (more than one means fallback).</summary>
    public int Attempts { get; set; }

    /// <summary>A short, bounded description of why the request failed, for logs; never upstream content.</summary>
    public string? Failure { get; set; }

    /// <summary>The deployment that served the request (its usage is billed); null when none did.</summary>
    public Deployment? ServedBy { get; set; }

    /// <summary>How the request ended, set by the step that ended it; null when it ended before the dispatcher.</summary>
    public RequestOutcome? Outcome { get; set; }
}
