namespace ModelGateway.Experiments;

/// <summary>
/// How busy this process keeps the CPU it may use: the share of its cores (affinity and container limits count)
/// spent in the last quarter second or so. Shadow sampling reads it to stay out of live traffic's way. Measured
/// lazily, one process CPU time read at most every 250 ms, so it costs nothing while nobody asks.
/// </summary>
internal sealed class GatewayCpu
{
    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(250);

    private readonly TimeProvider _timeProvider;
    private readonly Func<TimeSpan> _processCpuTime;
    private readonly int _cores;
    private readonly Lock _lock = new();
    private long _sampledAt;
    private TimeSpan _cpuAtSample;
    // Busy until first measured: shadow work waits for the first window rather than assume an idle start.
    private double _utilization = 1;

    public GatewayCpu(TimeProvider timeProvider)
        : this(timeProvider, static () => Environment.CpuUsage.TotalTime, Environment.ProcessorCount)
    {
    }

    /// <summary>For tests: a clock, a process CPU time and a core count of their own.</summary>
    public GatewayCpu(TimeProvider timeProvider, Func<TimeSpan> processCpuTime, int cores)
    {
        _timeProvider = timeProvider;
        _processCpuTime = processCpuTime;
        _cores = Math.Max(1, cores);
        _sampledAt = timeProvider.GetTimestamp();
        _cpuAtSample = processCpuTime();
    }

    /// <summary>0 (idle) to 1 (every core it may use busy) over the last completed window; 1 before the first one ends.</summary>
    public double Utilization
    {
        get
        {
            var now = _timeProvider.GetTimestamp();
            if (_timeProvider.GetElapsedTime(Volatile.Read(ref _sampledAt), now) >= Window && _lock.TryEnter())
            {
                try
                {
                    Sample(now);
                }
                finally
                {
                    _lock.Exit();
                }
            }

            return Volatile.Read(ref _utilization);
        }
    }

    private void Sample(long now)
    {
        var wall = _timeProvider.GetElapsedTime(_sampledAt, now);
        if (wall < Window)
        {
            return; // Another reader sampled while this one waited for the lock.
        }

        var cpu = _processCpuTime();
        var share = (cpu - _cpuAtSample).TotalSeconds / (wall.TotalSeconds * _cores);
        _cpuAtSample = cpu;
        Volatile.Write(ref _utilization, Math.Clamp(share, 0, 1));
        Volatile.Write(ref _sampledAt, now);
    }
}
