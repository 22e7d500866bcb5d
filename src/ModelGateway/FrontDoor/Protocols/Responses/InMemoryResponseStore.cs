using System.Collections.Concurrent;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Stored responses in this process, dropped after their retention; bounded in number (the oldest go first past
/// <see cref="MaxEntries"/>). A replica set without Redis does not share them.
/// </summary>
internal sealed class InMemoryResponseStore : IResponseStore
{
    public const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, StoredResponse> _responses = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private readonly TimeProvider _timeProvider;

    public InMemoryResponseStore(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public ValueTask<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (_responses.TryGetValue(id, out var stored) && stored.ExpiresAt <= _timeProvider.GetUtcNow())
        {
            _responses.TryRemove(id, out _);
            stored = null;
        }

        return ValueTask.FromResult(stored);
    }

    public ValueTask SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        _responses[response.Id] = response;
        _order.Enqueue(response.Id);
        var now = _timeProvider.GetUtcNow();
        while (_order.TryPeek(out var oldest)
            && (_responses.Count > MaxEntries || !_responses.TryGetValue(oldest, out var entry) || entry.ExpiresAt <= now))
        {
            if (_order.TryDequeue(out oldest))
            {
                _responses.TryRemove(oldest, out _);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) => ValueTask.FromResult(_responses.TryRemove(id, out _));
}
