using System.Collections.Immutable;
using ModelGateway.Quotas;

namespace ModelGateway.Configuration;

/// <summary>A client API key as the gateway stores it: an id for logs and the SHA-256 of the secret.</summary>
public sealed record ClientKey(string Id, ReadOnlyMemory<byte> Sha256, bool Disabled)
{
    /// <summary>The team the key belongs to, if any.</summary>
    public string? Team { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Models and aliases the key may use; empty means all.</summary>
    public ImmutableHashSet<string> AllowedModels { get; init; } = [];

    /// <summary>The key's effective limits (its own, or its team's key defaults).</summary>
    public QuotaLimits Limits { get; init; } = QuotaLimits.None;

    /// <summary>The key's own capture choice (<c>Keys:ID:Capture</c>); null defers to its team, then to the routing rule.</summary>
    public bool? Capture { get; init; }

    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires;

    public bool Allows(string model) => AllowedModels.IsEmpty || AllowedModels.Contains(model);
}
