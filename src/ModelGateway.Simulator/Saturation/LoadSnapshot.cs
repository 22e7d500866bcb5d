namespace ModelGateway.Simulator.Saturation;

/// <summary>The simulated server's load now, and the most it has had since start (or the last reset).</summary>
public sealed record LoadSnapshot(int Capacity, int Running, int Waiting, int PeakRunning, int PeakWaiting, long Served)
{
    /// <summary>The KV-cache use a real server would show: the share of its batch in use.</summary>
    public double KvCacheUsage => Capacity == 0 ? 0 : Math.Min(1d, (double)Running / Capacity);
}
