namespace ModelGateway.Telemetry;

/// <summary>
/// Watches the bounded queue between request threads and the log writer. Requests never wait for the
/// output: when the queue is full an event is dropped, and the drop is counted here for the
/// <c>modelgateway.log.dropped</c> metric instead of going unnoticed.
/// </summary>
internal sealed class LogPipelineMonitor
{
    private Func<int>? _queued;
    private long _dropped;

    /// <summary>Log events dropped because the queue was full (or could not be written), since the process started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Log events waiting to be written.</summary>
    public int Queued => Volatile.Read(ref _queued)?.Invoke() ?? 0;

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>The writer now in use reports its queue length through <paramref name="queued"/>.</summary>
    public void Attach(Func<int> queued) => Volatile.Write(ref _queued, queued);

    // The drop count lives here, so it survives the logger being rebuilt and never goes backwards.
    public void Detach(Func<int> queued) => Interlocked.CompareExchange(ref _queued, null, queued);
}
