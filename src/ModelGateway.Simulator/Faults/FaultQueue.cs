namespace ModelGateway.Simulator.Faults;

/// <summary>Queued faults, first in first out; each applies to its <see cref="FaultSpec.Count"/> requests.</summary>
internal sealed class FaultQueue
{
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _entries = new();
    private int _pending;

    public void Enqueue(FaultSpec fault)
    {
        lock (_lock)
        {
            _entries.Enqueue(new Entry(fault));
            Volatile.Write(ref _pending, _entries.Count);
        }
    }

    public FaultSpec? TryTake()
    {
        if (Volatile.Read(ref _pending) == 0)
        {
            return null;
        }

        lock (_lock)
        {
            if (!_entries.TryPeek(out var entry))
            {
                return null;
            }

            if (--entry.Remaining == 0)
            {
                _entries.Dequeue();
                Volatile.Write(ref _pending, _entries.Count);
            }

            return entry.Fault;
        }
    }

    public FaultSpec[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _entries.Select(e => e.Fault with { Count = e.Remaining })];
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _entries.Clear();
            Volatile.Write(ref _pending, 0);
        }
    }

    private sealed class Entry(FaultSpec fault)
    {
        public FaultSpec Fault { get; } = fault;

        public int Remaining { get; set; } = fault.Count;
    }
}
