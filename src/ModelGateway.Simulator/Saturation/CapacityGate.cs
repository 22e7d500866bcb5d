namespace ModelGateway.Simulator.Saturation;

/// <summary>
/// A GPU server's batch: at most <c>Simulator:Capacity</c> requests are served at once, the rest wait in order
/// (their time to first token grows with the queue). Counts what runs and waits, for <c>/metrics</c> and tests.
/// </summary>
public sealed class CapacityGate : IDisposable
{
    private readonly SemaphoreSlim? _slots;
    private readonly int _capacity;
    private int _running;
    private int _waiting;
    private int _peakRunning;
    private int _peakWaiting;
    private long _served;
    private int _metricsFault;

    public CapacityGate(int capacity)
    {
        _capacity = capacity;
        _slots = capacity > 0 ? new SemaphoreSlim(capacity, capacity) : null;
    }

    /// <summary>How <c>/metrics</c> answers; tests and the control API set it.</summary>
    public MetricsFault MetricsFault
    {
        get => (MetricsFault)Volatile.Read(ref _metricsFault);
        set => Volatile.Write(ref _metricsFault, (int)value);
    }

    public LoadSnapshot Snapshot() => new(
        _capacity, Volatile.Read(ref _running), Volatile.Read(ref _waiting), Volatile.Read(ref _peakRunning), Volatile.Read(ref _peakWaiting), Interlocked.Read(ref _served));

    /// <summary>Forgets the peaks and the served count (between phases of a test).</summary>
    public void ResetPeaks()
    {
        Volatile.Write(ref _peakRunning, Volatile.Read(ref _running));
        Volatile.Write(ref _peakWaiting, Volatile.Read(ref _waiting));
        Interlocked.Exchange(ref _served, 0);
    }

    /// <summary>Runs <paramref name="serve"/> in a slot, waiting for one first when the batch is full.</summary>
    public async Task RunAsync(Func<Task> serve, CancellationToken cancellationToken)
    {
        if (_slots is not null)
        {
            Raise(ref _peakWaiting, Interlocked.Increment(ref _waiting));
            try
            {
                await _slots.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Raise(ref _peakRunning, Interlocked.Increment(ref _running));
        try
        {
            await serve();
            Interlocked.Increment(ref _served);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _slots?.Release();
        }
    }

    public void Dispose() => _slots?.Dispose();

    private static void Raise(ref int peak, int value)
    {
        var current = Volatile.Read(ref peak);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref peak, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
