using ModelGateway.Configuration;

namespace ModelGateway.Pipeline;

/// <summary>The client as authenticated at the front door: its key, its team, and the models it may use.</summary>
internal sealed class Caller
{
    public Caller(string keyId, ClientKey? key)
    {
        KeyId = keyId;
        Key = key;
    }

    /// <summary>The key, when the caller has one in the configuration (an admin dry-run sample may name none).</summary>
    public ClientKey? Key { get; }

    public string KeyId { get; }

    public string? TeamId => Key?.Team;

    public static Caller Of(ClientKey key) => new(key.Id, key);

    /// <summary>The key's model allow-list; checked before routing so explain and serving agree.</summary>
    public bool MayUse(string model) => Key is null || Key.Allows(model);
}
