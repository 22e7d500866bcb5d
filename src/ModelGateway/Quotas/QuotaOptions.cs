namespace ModelGateway.Quotas;

/// <summary>The <c>ModelGateway:Quotas</c> section: where limits are enforced and how.</summary>
public sealed class QuotaOptions
{
    /// <summary>StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c>. Unset: in-memory, one instance only. Read at start-up.</summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every Redis key; braces make it a cluster hash tag so one script touches one slot.</summary>
    public string KeyPrefix { get; set; } = "{mg}:";

    /// <summary><c>fail-open</c> (serve, enforce per replica in memory) or <c>fail-closed</c> (503) while Redis is unreachable.</summary>
    public string FailureMode { get; set; } = "fail-open";

    /// <summary>Longest wait for Redis on the request path.</summary>
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The rate-limit window: "per minute" limits count requests and tokens over this span.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Output tokens reserved when a chat request does not set <c>max_completion_tokens</c>.</summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>A reservation not settled by then (its gateway died) is released.</summary>
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>tokenizer</c> (o200k_base, offline) or <c>bytes</c> (UTF-8 bytes / 4).</summary>
    public string PromptEstimator { get; set; } = "tokenizer";
}

/// <summary>Limits of one key, team or team model. Unset means unlimited.</summary>
public sealed class QuotaLimitsOptions
{
    public int? RequestsPerMinute { get; set; }

    /// <summary>Prompt plus completion tokens.</summary>
    public long? TokensPerMinute { get; set; }

    public int? ConcurrentRequests { get; set; }

    /// <summary>USD per UTC day.</summary>
    public decimal? UsdPerDay { get; set; }

    /// <summary>USD per UTC calendar month.</summary>
    public decimal? UsdPerMonth { get; set; }
}

/// <summary>A team: its own limits, limits per model, and the limits its keys get unless they set their own.</summary>
public sealed class TeamOptions
{
    public QuotaLimitsOptions Limits { get; init; } = new();

    /// <summary>Public model name (or alias) to the team's limits for that model.</summary>
    public Dictionary<string, QuotaLimitsOptions> Models { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Limits of each key of the team that sets no <c>Limits</c> of its own.</summary>
    public QuotaLimitsOptions? KeyDefaults { get; set; }
}
