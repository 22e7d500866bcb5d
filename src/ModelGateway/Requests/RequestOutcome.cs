namespace ModelGateway.Requests;

/// <summary>How a front-door request ended, as the <c>outcome</c> label of <c>modelgateway.requests</c>.</summary>
public enum RequestOutcome
{
    /// <summary>The first deployment tried served it.</summary>
    Served,

    /// <summary>Served, but only after at least one deployment failed.</summary>
    FellBack,

    /// <summary>Refused by the gateway's own quotas or budgets (429 <c>rate_limit_exceeded</c> / <c>insufficient_quota</c>).</summary>
    RejectedQuota,

    /// <summary>Refused by routing policy (403/503 from the route planner).</summary>
    RejectedPolicy,

    /// <summary>Every deployment tried failed for provider reasons (unreachable, timeout, 5xx, upstream 429).</summary>
    UpstreamError,

    /// <summary>The request itself was wrong: bad key, bad body, unknown model, or an upstream 400/413/422.</summary>
    ClientError,

    /// <summary>The client went away before the answer was complete.</summary>
    ClientCancelled,

    /// <summary>A bug in the gateway (500).</summary>
    GatewayError,
}
