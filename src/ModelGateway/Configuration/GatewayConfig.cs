using System.Collections.Immutable;

namespace ModelGateway.Configuration;

/// <summary>The validated, immutable configuration. Change it by building a new one, never in place.</summary>
public sealed record GatewayConfig
{
    /// <summary>4 MiB: far above any real chunk (a few hundred bytes), small enough that a runaway event costs little.</summary>
    public const int DefaultMaxStreamEventBytes = 4 * 1024 * 1024;

    public const int MinMaxStreamEventBytes = 1024;

    public const int MaxMaxStreamEventBytes = 256 * 1024 * 1024;

    public required ImmutableDictionary<string, ProviderConfig> Providers { get; init; }

    public required ImmutableDictionary<string, DeploymentConfig> Deployments { get; init; }

    public required ImmutableDictionary<string, string> Aliases { get; init; }

    public required ImmutableDictionary<string, ClientKey> Keys { get; init; }

    public ImmutableDictionary<string, Quotas.TeamConfig> Teams { get; init; } = ImmutableDictionary<string, Quotas.TeamConfig>.Empty;

    public Quotas.QuotaSettings Quotas { get; init; } = ModelGateway.Quotas.QuotaSettings.Default;

    public long MaxRequestBodyBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>The largest single streamed event accepted from an upstream (bytes, blank-line terminator included).</summary>
    public int MaxStreamEventBytes { get; init; } = DefaultMaxStreamEventBytes;

    public bool LogContent { get; init; }

    public static readonly TimeSpan DefaultStoredResponseRetention = TimeSpan.FromDays(1);

    /// <summary>How long a stored Responses API response can be read or continued (<c>Limits:StoredResponseRetention</c>).</summary>
    public TimeSpan StoredResponseRetention { get; init; } = DefaultStoredResponseRetention;

    /// <summary>Who may read, continue or delete a stored response (<c>Limits:StoredResponseOwner</c>).</summary>
    public StoredResponseOwner StoredResponseOwner { get; init; } = StoredResponseOwner.Key;

    /// <summary>Routing rules, sensitivity policy and fallback budgets (docs/routing.md).</summary>
    public ModelGateway.Routing.RoutingPolicy Routing { get; init; } = ModelGateway.Routing.RoutingPolicy.Default;

    /// <summary>Distillation dataset capture (docs/capture.md); <see cref="CaptureSettings.AnyOptIn"/> false keeps it off the request path.</summary>
    public CaptureSettings Capture { get; init; } = CaptureSettings.Off;
    /// <summary>Shadow experiments, enabled or not, by id order (docs/experiments.md).</summary>
    public ImmutableArray<ExperimentConfig> Experiments { get; init; } = [];

    /// <summary>Some key or team has a limit or budget: requests need a reservation (and the precise prompt estimate).</summary>
    public bool HasQuotaLimits() =>
        Keys.Values.Any(key => !key.Limits.IsUnlimited)
        || Teams.Values.Any(team => !team.Limits.IsUnlimited || !team.Models.IsEmpty || team.KeyDefaults is { IsUnlimited: false });

    /// <summary>The prompt estimate uses the tokenizer: configured so, and some quota or budget needs the precise count.</summary>
    public bool UsesTokenizerEstimate() => Quotas.UseTokenizer && HasQuotaLimits();
}
