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

    public string? Region { get; init; }

    public required TimeSpan ConnectTimeout { get; init; }

    public required TimeSpan ResponseTimeout { get; init; }

    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
}
