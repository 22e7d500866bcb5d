using System.Collections.Concurrent;

namespace ModelGateway.Simulator.Responses;

/// <summary>Stored responses by id, in memory for the simulator's lifetime.</summary>
internal sealed class ResponseStore
{
    private readonly ConcurrentDictionary<string, StoredResponse> _responses = new(StringComparer.Ordinal);

    public int Count => _responses.Count;

    public void Add(StoredResponse response) => _responses[response.Id] = response;

    public StoredResponse? Find(string id) => _responses.GetValueOrDefault(id);

    public bool Remove(string id) => _responses.TryRemove(id, out _);
}
