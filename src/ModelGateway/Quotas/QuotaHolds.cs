using System.Collections.Concurrent;

namespace ModelGateway.Quotas;

/// <summary>
/// The reservations of this replica's requests in flight, so that shutdown can wait for them to be settled before
/// the Redis connection closes (see <see cref="QuotaDrain"/>). A hold leaves the list once its settlement has run.
/// </summary>
internal sealed class QuotaHolds
{
    private readonly ConcurrentDictionary<OpenHold, byte> _open = new();

    /// <summary>Holds not settled yet (counts under all locks: for shutdown and tests, not the request path).</summary>
    public int Count => _open.Count;

    public OpenHold Open(IQuotaStore store, QuotaAsk ask)
    {
        var hold = new OpenHold(store, ask);
        _open.TryAdd(hold, 0);
        return hold;
    }

    /// <summary>Takes a hold off the list once it is settled (or released).</summary>
    public void Close(OpenHold hold) => _open.TryRemove(hold, out _);

    /// <summary>The holds still open, as of now.</summary>
    public OpenHold[] Snapshot() => [.. _open.Keys];
}
