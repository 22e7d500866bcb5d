namespace ModelGateway.Routing.Canaries;

/// <summary>
/// The candidate's outcomes (and experiment pairs) in the guard window on this replica, newest last, at most
/// <see cref="Capacity"/> of each (the oldest go first). Not thread-safe: <see cref="CanaryState"/> locks around it.
/// </summary>
internal sealed class CanaryWindow
{
    public const int Capacity = 4096;

    private readonly Queue<Sample> _samples = new();
    private readonly Queue<(DateTimeOffset At, bool Agrees)> _pairs = new();
    private int _errors;
    private int _agreeing;

    public void Add(DateTimeOffset at, bool error, double latencyMs, double? ttftMs)
    {
        if (_samples.Count == Capacity)
        {
            _errors -= _samples.Dequeue().Error ? 1 : 0;
        }

        _samples.Enqueue(new Sample(at, error, latencyMs, ttftMs));
        _errors += error ? 1 : 0;
    }

    public void AddPair(DateTimeOffset at, bool agrees)
    {
        if (_pairs.Count == Capacity)
        {
            _agreeing -= _pairs.Dequeue().Agrees ? 1 : 0;
        }

        _pairs.Enqueue((at, agrees));
        _agreeing += agrees ? 1 : 0;
    }

    /// <summary>Drops what is older than <paramref name="since"/>, then measures what is left.</summary>
    public CanaryFigures Measure(DateTimeOffset since)
    {
        while (_samples.TryPeek(out var oldest) && oldest.At < since)
        {
            _errors -= _samples.Dequeue().Error ? 1 : 0;
        }

        while (_pairs.TryPeek(out var pair) && pair.At < since)
        {
            _agreeing -= _pairs.Dequeue().Agrees ? 1 : 0;
        }

        var latencies = new List<double>(_samples.Count);
        var ttfts = new List<double>(_samples.Count);
        foreach (var sample in _samples)
        {
            if (!sample.Error)
            {
                latencies.Add(sample.LatencyMs);
                if (sample.TtftMs is { } ttft)
                {
                    ttfts.Add(ttft);
                }
            }
        }

        return new CanaryFigures(
            _samples.Count,
            _errors,
            _samples.Count == 0 ? null : (double)_errors / _samples.Count,
            P95(latencies),
            P95(ttfts),
            _pairs.Count,
            _pairs.Count == 0 ? null : (double)_agreeing / _pairs.Count);
    }

    /// <summary>Nearest-rank 95th percentile; null when there is nothing.</summary>
    private static double? P95(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        return values[Math.Clamp((int)Math.Ceiling(0.95 * values.Count) - 1, 0, values.Count - 1)];
    }

    private readonly record struct Sample(DateTimeOffset At, bool Error, double LatencyMs, double? TtftMs);
}
