namespace ModelGateway.Configuration;

/// <summary>An upstream endpoint: where it is, how to authenticate, and how far it is trusted.</summary>
public sealed record ProviderConfig
{
    public required string Id { get; init; }

    public required ProviderKind Kind { get; init; }

    /// <summary>Base URL including the API version segment, e.g. <c>http://gpu-1:8000/v1</c>; no trailing slash.</summary>
    public required Uri BaseUrl { get; init; }

    public required ProviderCredential Credential { get; init; }

    public required TrustTier Trust { get; init; }

    /// <summary>Whether its answers may be captured for training datasets; forbidden unless allowed explicitly or by a self-hosted trust tier.</summary>
    public TrainingUse TrainingUse { get; init; }

    public string? Region { get; init; }

    public required TimeSpan ConnectTimeout { get; init; }

    public required TimeSpan ResponseTimeout { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Azure <c>api-version</c> or Anthropic <c>anthropic-version</c>; null for other kinds.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>Azure OpenAI: the classic deployment URLs or the <c>/openai/v1/</c> surface.</summary>
    public AzureApiSurface ApiSurface { get; init; }

    /// <summary>The flavour of the OpenAI format the upstream speaks (usage fields, reasoning, load metrics).</summary>
    public ProviderDialect Dialect { get; init; }
}
