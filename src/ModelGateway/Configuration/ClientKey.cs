namespace ModelGateway.Configuration;

/// <summary>A client API key as the gateway stores it: an id for logs and the SHA-256 of the secret.</summary>
public sealed record ClientKey(string Id, ReadOnlyMemory<byte> Sha256, bool Disabled);
