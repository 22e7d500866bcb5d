namespace ModelGateway.Admin;

/// <summary>
/// Where the configuration document and its history live: a local directory (the embedded default) or Redis
/// (shared by replicas). Appends are compare-and-set on the version, so two writers never both win.
/// </summary>
public interface IConfigDocumentStore : IDisposable
{
    /// <summary>The newest revision, or null when the store is empty.</summary>
    Task<ConfigRevision?> ReadCurrentAsync(CancellationToken cancellationToken);

    Task<ConfigRevision?> ReadVersionAsync(long version, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="revision"/> if its version is exactly one more than the newest; false when another writer got there first.</summary>
    Task<bool> TryAppendAsync(ConfigRevision revision, CancellationToken cancellationToken);

    /// <summary>Audit entries, newest first, of versions below <paramref name="before"/> (all when null).</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long? before, int limit, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onVersion"/> when another process stores a version (Redis pub/sub); a no-op for local stores.</summary>
    Task SubscribeAsync(Action<long> onVersion, CancellationToken cancellationToken);
}
