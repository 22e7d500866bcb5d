namespace ModelGateway.Configuration;

/// <summary>
/// The "ModelGateway" configuration section as bound from JSON and environment variables.
/// Mutable on purpose (the binder needs setters); <see cref="GatewayConfigBuilder"/> validates it and turns it
/// into an immutable <see cref="GatewayConfig"/>. Dictionaries are keyed by id so that an environment variable
/// such as <c>ModelGateway__Providers__openai__BaseUrl</c> can override one field of one entry.
/// </summary>
public sealed class GatewayOptions
{
    /// <summary>The environment variable naming the configuration file when <c>--config</c> is not given.</summary>
    public const string ConfigFileVariable = "MODELGATEWAY_CONFIG";

    public const string SectionName = "ModelGateway";

    public Dictionary<string, ProviderOptions> Providers { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, DeploymentOptions> Deployments { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Alias name to the public model name it stands for, e.g. "fast" to "qwen3-32b".</summary>
    public Dictionary<string, string> Aliases { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, ClientKeyOptions> Keys { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Teams that keys belong to, with their limits and budgets (see docs/quotas.md).</summary>
    public Dictionary<string, Quotas.TeamOptions> Teams { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Where and how limits are enforced (see docs/quotas.md).</summary>
    public Quotas.QuotaOptions Quotas { get; init; } = new();

    public LimitsOptions Limits { get; init; } = new();

    public LoggingOptions RequestLogging { get; init; } = new();

    /// <summary>Routing rules by id; see docs/routing.md.</summary>
    public Dictionary<string, ModelGateway.Routing.RouteOptions> Routes { get; init; } = new(StringComparer.Ordinal);

    public ModelGateway.Sensitivity.SensitivityOptions Sensitivity { get; init; } = new();

    public ModelGateway.Routing.FallbackOptions Fallback { get; init; } = new();

    /// <summary>Distillation dataset capture: what may be kept and for how long (docs/capture.md). Off until a rule, key or team opts in.</summary>
    public CaptureOptions Capture { get; init; } = new();

    /// <summary>Shadow experiments by id: candidate deployments compared on a sample of live traffic; see docs/experiments.md.</summary>
    public Dictionary<string, ExperimentOptions> Experiments { get; init; } = new(StringComparer.Ordinal);
}

public sealed class ProviderOptions
{
    /// <summary><c>openai</c> (any OpenAI-compatible server), <c>anthropic</c>, <c>gemini</c> or <c>azure-openai</c>.</summary>
    public string? Kind { get; set; }

    public string? BaseUrl { get; set; }

    /// <summary>Where the upstream key comes from: <c>env:NAME</c>, <c>file:/path</c> or <c>none</c>.</summary>
    public string? Credential { get; set; }

    /// <summary><c>self-hosted</c>, <c>contracted</c> or <c>public</c>.</summary>
    public string? Trust { get; set; }

    /// <summary>
    /// <c>allowed</c> or <c>forbidden</c>: whether the provider's answers may be captured to train other models.
    /// Default: <c>allowed</c> for <c>self-hosted</c>, <c>forbidden</c> for <c>contracted</c> and <c>public</c> (docs/capture.md).
    /// </summary>
    public string? TrainingUse { get; set; }

    public string? Region { get; set; }

    public TimeSpan? ConnectTimeout { get; set; }

    /// <summary>Longest wait for the response headers, and between two reads of a streamed body.</summary>
    public TimeSpan? ResponseTimeout { get; set; }

    /// <summary>Extra headers sent on every upstream request (not secrets: use <see cref="Credential"/>).</summary>
    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Azure OpenAI: the <c>api-version</c> query value (default <c>2024-10-21</c>). Anthropic: the
    /// <c>anthropic-version</c> header (default <c>2023-06-01</c>). Not used by other kinds.
    /// </summary>
    public string? ApiVersion { get; set; }

    /// <summary>Azure OpenAI only: <c>deployments</c> (classic URLs, the default) or <c>v1</c> (the <c>/openai/v1/</c> surface).</summary>
    public string? ApiSurface { get; set; }

    /// <summary>
    /// <c>openai</c> kind only: the host's flavour of the format (<c>deepseek</c>, <c>vllm</c>, ...; see docs/providers.md).
    /// Default: the known public host's own, else <c>openai</c>.
    /// </summary>
    public string? Dialect { get; set; }
}

public sealed class DeploymentOptions
{
    public string? Provider { get; set; }

    /// <summary>Public model names clients may ask for that this deployment serves.</summary>
    public List<string> Models { get; init; } = [];

    /// <summary>The model name the upstream expects; defaults to the first public name.</summary>
    public string? UpstreamModel { get; set; }

    public PriceOptions Price { get; init; } = new();

    public int? ContextWindow { get; set; }

    public List<string> Capabilities { get; init; } = [];

    /// <summary>Lower is tried first when several deployments serve the same model.</summary>
    public int Priority { get; set; }

    /// <summary>When the deployment counts as saturated and is passed over (see docs/routing.md, "Capacity").</summary>
    public ModelGateway.Routing.Capacity.CapacityOptions? Capacity { get; set; }
}

public sealed class PriceOptions
{
    public decimal? InputPerMillion { get; set; }

    public decimal? CachedInputPerMillion { get; set; }

    /// <summary>Prompt tokens written to a provider's prompt cache (Anthropic <c>cache_creation_input_tokens</c>); the input price when unset.</summary>
    public decimal? CacheWriteInputPerMillion { get; set; }

    public decimal? OutputPerMillion { get; set; }
}

public sealed class ClientKeyOptions
{
    /// <summary>Lower-case hex SHA-256 of the key. The key itself is never stored.</summary>
    public string? Sha256 { get; set; }

    public bool Disabled { get; set; }

    /// <summary>The team the key belongs to; its limits and budgets apply too.</summary>
    public string? Team { get; set; }

    /// <summary>After this instant the key is refused.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Models and aliases the key may use; empty means all.</summary>
    public List<string> AllowedModels { get; init; } = [];

    /// <summary>The key's own limits; when unset, the team's <c>KeyDefaults</c>.</summary>
    public Quotas.QuotaLimitsOptions? Limits { get; set; }

    /// <summary>Capture this key's served pairs for datasets (true), never (false), or as its team or routing rule says (unset).</summary>
    public bool? Capture { get; set; }
}

public sealed class LimitsOptions
{
    public long MaxRequestBodyBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest single streamed event accepted from an upstream; a larger one ends the stream.</summary>
    public int MaxStreamEventBytes { get; set; } = GatewayConfig.DefaultMaxStreamEventBytes;

    /// <summary>How long a stored Responses API response (<c>store</c> not false) can be read or continued.</summary>
    public TimeSpan StoredResponseRetention { get; set; } = GatewayConfig.DefaultStoredResponseRetention;

    /// <summary>Who may read, continue or delete a stored response: <c>key</c> (the key that created it) or <c>team</c> (any key of its team).</summary>
    public string StoredResponseOwner { get; set; } = "key";
}

public sealed class LoggingOptions
{
    /// <summary>Logs prompts and completions at Trace level. Off by default: prompts are often confidential.</summary>
    public bool IncludeContent { get; set; }
}
