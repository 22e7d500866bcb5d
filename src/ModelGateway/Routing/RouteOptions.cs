namespace ModelGateway.Routing;

/// <summary>
/// One routing rule as configured under <c>Routes:&lt;id&gt;</c>. Rules are tried by ascending <see cref="Order"/>
/// (then id); the first whose <see cref="Match"/> fits the request decides the candidates, constraints and strategy.
/// </summary>
public sealed class RouteOptions
{
    public int Order { get; set; }

    public RouteMatchOptions Match { get; init; } = new();

    /// <summary>Deployments to consider, in preference order; empty means every deployment serving the requested model.</summary>
    public List<string> Deployments { get; init; } = [];

    public RouteConstraintsOptions Constraints { get; init; } = new();

    /// <summary><c>cheapest</c>, <c>fastest</c>, <c>weighted</c> or <c>ordered</c> (the default).</summary>
    public string? Strategy { get; set; }

    /// <summary>For <c>weighted</c>: how much cost, latency and priority count.</summary>
    public RouteWeightsOptions Weights { get; init; } = new();

    /// <summary>For <c>weighted</c>: pick the first deployment at random in proportion to its score (true), or take the best.</summary>
    public bool Spread { get; set; } = true;

    /// <summary>Capture the pairs this rule serves for datasets (docs/capture.md); a key's or team's own setting wins.</summary>
    public bool? Capture { get; set; }

    /// <summary>A guarded canary: a share of the rule's requests tries a candidate deployment first (docs/experiments.md).</summary>
    public RouteCanaryOptions? Canary { get; set; }
}

/// <summary>Conditions a request must meet for a rule to apply; an empty condition matches everything.</summary>
public sealed class RouteMatchOptions
{
    /// <summary>Requested model names or aliases.</summary>
    public List<string> Models { get; init; } = [];

    /// <summary>Client key ids.</summary>
    public List<string> Keys { get; init; } = [];

    /// <summary>Team ids: the rule applies to requests made with any key of these teams.</summary>
    public List<string> Teams { get; init; } = [];

    /// <summary>Every pair must be present in the request's OpenAI <c>metadata</c> or its <c>x-gateway-tags</c> header.</summary>
    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Detected sensitivity levels the rule applies to.</summary>
    public List<string> Sensitivity { get; init; } = [];

    /// <summary>Features the request must use: <c>tools</c>, <c>vision</c>, <c>json_schema</c>.</summary>
    public List<string> Needs { get; init; } = [];

    public int? MinPromptTokens { get; set; }

    public int? MaxPromptTokens { get; set; }

    /// <summary>Inbound protocols the client spoke: <c>chat</c>, <c>embeddings</c>, <c>messages</c>, <c>responses</c>.</summary>
    public List<string> Protocols { get; init; } = [];
}

/// <summary>Hard limits on the rule's candidates.</summary>
public sealed class RouteConstraintsOptions
{
    /// <summary>The least trusted tier allowed: <c>self-hosted</c>, <c>contracted</c> or <c>public</c>.</summary>
    public string? MinTrust { get; set; }

    public List<string> Regions { get; init; } = [];

    /// <summary>Highest input or output price per million tokens (USD) a candidate may have.</summary>
    public decimal? MaxPricePerMillion { get; set; }
}

public sealed class RouteWeightsOptions
{
    public double Cost { get; set; } = 1;

    public double Latency { get; set; } = 1;

    public double Priority { get; set; }
}

/// <summary>The <c>Fallback</c> section: per-request attempt and time budgets, circuit breakers and cool-downs.</summary>
public sealed class FallbackOptions
{
    public int MaxAttempts { get; set; } = 3;

    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Expected output tokens for cost when the request sets no limit and the deployment has no history.</summary>
    public int DefaultOutputTokens { get; set; } = 256;

    /// <summary>Longest cool-down an upstream's <c>retry-after</c> can impose.</summary>
    public TimeSpan MaxCoolDown { get; set; } = TimeSpan.FromMinutes(5);

    public BreakerOptions Breaker { get; init; } = new();
}

/// <summary>One circuit breaker per deployment (Polly): opens when the failure ratio is reached.</summary>
public sealed class BreakerOptions
{
    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 5;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
