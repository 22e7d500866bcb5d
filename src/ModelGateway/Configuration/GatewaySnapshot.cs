using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Security.Cryptography;

namespace ModelGateway.Configuration;

/// <summary>
/// A <see cref="GatewayConfig"/> plus the lookups every request needs, computed once per configuration change
/// so the request path does no searching or sorting. Immutable: a request holds one snapshot from start to end
/// and never sees a half-applied change.
/// </summary>
public sealed class GatewaySnapshot
{
    private readonly FrozenDictionary<string, ImmutableArray<Deployment>> _deploymentsByModel;
    private readonly FrozenDictionary<UInt128, ClientKey> _keysByHashPrefix;

    public GatewaySnapshot(GatewayConfig config, long version, DateTimeOffset createdAt)
    {
        Config = config;
        Version = version;
        CreatedAt = createdAt;

        var byModel = new Dictionary<string, List<Deployment>>(StringComparer.Ordinal);
        foreach (var deployment in config.Deployments.Values)
        {
            var resolved = new Deployment(deployment, config.Providers[deployment.ProviderId]);
            foreach (var model in deployment.Models)
            {
                if (!byModel.TryGetValue(model, out var list))
                {
                    byModel[model] = list = [];
                }

                list.Add(resolved);
            }
        }

        foreach (var (alias, target) in config.Aliases)
        {
            byModel[alias] = byModel[target];
        }

        _deploymentsByModel = byModel.ToFrozenDictionary(
            pair => pair.Key,
            pair => pair.Value.OrderBy(d => d.Config.Priority).ThenBy(d => d.Config.Id, StringComparer.Ordinal).ToImmutableArray(),
            StringComparer.Ordinal);
        ModelIds = [.. byModel.Keys.Order(StringComparer.Ordinal)];
        _keysByHashPrefix = config.Keys.Values.ToFrozenDictionary(key => HashPrefix(key.Sha256.Span));
    }

    public GatewayConfig Config { get; }

    /// <summary>Increases by one with every accepted configuration change.</summary>
    public long Version { get; }

    /// <summary>When this snapshot was made; reported as the <c>created</c> time of models.</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>Every model name and alias a client may ask for, sorted.</summary>
    public ImmutableArray<string> ModelIds { get; }

    /// <summary>Deployments serving a public model name or alias, most preferred first; empty when unknown.</summary>
    public ImmutableArray<Deployment> DeploymentsFor(string model) =>
        _deploymentsByModel.TryGetValue(model, out var deployments) ? deployments : [];

    public bool IsKnownModel(string model) => _deploymentsByModel.ContainsKey(model);

    /// <summary>Finds the key whose SHA-256 matches; compares the full hash in constant time.</summary>
    public ClientKey? FindKey(ReadOnlySpan<byte> sha256)
    {
        return _keysByHashPrefix.TryGetValue(HashPrefix(sha256), out var key)
            && CryptographicOperations.FixedTimeEquals(key.Sha256.Span, sha256)
            ? key
            : null;
    }

    private static UInt128 HashPrefix(ReadOnlySpan<byte> sha256) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(sha256);
}

/// <summary>A deployment together with the provider that hosts it.</summary>
public sealed record Deployment(DeploymentConfig Config, ProviderConfig Provider)
{
    /// <summary>The upstream model name as a JSON string token (quotes included), ready to splice into a body.</summary>
    public ReadOnlyMemory<byte> UpstreamModelJson { get; } =
        System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Config.UpstreamModel));

    /// <summary>The upstream URL per operation, filled on first use by the adapter (the snapshot is immutable, so is this).</summary>
    internal Uri?[] UpstreamUriCache { get; } = new Uri?[Enum.GetValues<Requests.Operation>().Length];
}
