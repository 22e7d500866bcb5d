namespace ModelGateway.Simulator.Recording;

/// <summary>Counts client aborts and lets a test wait for the first one.</summary>
internal sealed class AbortMonitor(TimeProvider timeProvider)
{
    private readonly Lock _lock = new();
    private int _count;
    private TaskCompletionSource _signal = NewSignal();

    public int Count => Volatile.Read(ref _count);

    public void Signal()
    {
        TaskCompletionSource signal;
        lock (_lock)
        {
            _count++;
            signal = _signal;
        }

        signal.TrySetResult();
    }

    public void Reset()
    {
        lock (_lock)
        {
            _count = 0;
            if (_signal.Task.IsCompleted)
            {
                _signal = NewSignal();
            }
        }
    }

    public Task WaitAsync(TimeSpan timeout)
    {
        Task signal;
        lock (_lock)
        {
            signal = _signal.Task;
        }

        return signal.WaitAsync(timeout, timeProvider);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
