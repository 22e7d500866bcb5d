namespace ModelGateway.Routing;

/// <summary>The randomness of weighted spreading, injectable so tests and benchmarks are repeatable.</summary>
internal interface IRoutingRandom
{
    /// <summary>A number in [0, 1).</summary>
    double NextDouble();
}

/// <summary>The default: the shared thread-safe generator.</summary>
internal sealed class SharedRoutingRandom : IRoutingRandom
{
    public double NextDouble() => Random.Shared.NextDouble();
}

/// <summary>A seeded sequence: the same seed gives the same choices.</summary>
internal sealed class SeededRoutingRandom : IRoutingRandom
{
    private readonly Lock _lock = new();
    private readonly Random _random;

    public SeededRoutingRandom(int seed)
    {
#pragma warning disable CA5394 // Spreading load, not security.
        _random = new Random(seed);
    }

    public double NextDouble()
    {
        lock (_lock)
        {
            return _random.NextDouble();
        }
    }
#pragma warning restore CA5394
}
