namespace ModelGateway.Simulator.Recording;

/// <summary>The recorded requests, bounded: the oldest are dropped beyond the capacity.</summary>
internal sealed class RequestLog(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Queue<ReceivedRequest> _requests = new();

    public void Add(ReceivedRequest request)
    {
        lock (_lock)
        {
            if (_requests.Count >= capacity)
            {
                _requests.Dequeue();
            }

            _requests.Enqueue(request);
        }
    }

    public ReceivedRequest[] Snapshot()
    {
        lock (_lock)
        {
            return _requests.ToArray();
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _requests.Clear();
        }
    }
}
