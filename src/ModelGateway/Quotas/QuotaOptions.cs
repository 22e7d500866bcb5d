namespace ModelGateway.Quotas;

/// <summary>The <c>ModelGateway:Quotas</c> section: where limits are enforced and how.</summary>
public sealed class QuotaOptions
{
    /// <summary>
    /// StackExchange.Redis connection string, e.g. <c>127.0.0.1:6379</c>, or several nodes of a Redis Cluster
    /// (<c>a:6379,b:6379,c:6379</c>), with <c>user=</c>, <c>ssl=true</c>. Unset: in-memory, one instance only. Read at start-up.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Redis password (of <c>requirepass</c> or of the ACL user in <see cref="Redis"/>) by reference: <c>env:NAME</c> or <c>file:/path</c>.</summary>
    public string? RedisPassword { get; set; }

    /// <summary>TLS to Redis beyond <c>ssl=true</c>: a private CA, a client certificate.</summary>
    public RedisTlsOptions RedisTls { get; init; } = new();

    /// <summary>
    /// Prefix of every Redis key, without braces: the gateway wraps each quota group's keys in a hash tag of its own,
    /// <c>{&lt;prefix&gt;team:ID}:</c>, so one script touches one cluster slot and groups spread over the shards.
    /// </summary>
    public string KeyPrefix { get; set; } = "mg:";

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

    /// <summary>Capture the served pairs of the team's keys for datasets (true), never (false), or as the routing rule says (unset); a key's own setting wins.</summary>
    public bool? Capture { get; set; }
}

/// <summary>The <c>Quotas:RedisTls</c> section (also used by the admin store when it shares the quota connection).</summary>
public sealed class RedisTlsOptions
{
    /// <summary>Connect with TLS (as <c>ssl=true</c> in the connection string does).</summary>
    public bool Enabled { get; set; }

    /// <summary>PEM file of the CA that signed the server certificate, when it is not one the system trusts.</summary>
    public string? CaCertificate { get; set; }

    /// <summary>PEM client certificate, for servers that check clients (<c>tls-auth-clients yes</c>).</summary>
    public string? ClientCertificate { get; set; }

    /// <summary>PEM private key of <see cref="ClientCertificate"/>.</summary>
    public string? ClientKey { get; set; }
}
