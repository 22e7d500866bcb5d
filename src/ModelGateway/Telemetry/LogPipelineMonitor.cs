using ModelGateway.Hosting;

namespace ModelGateway.Telemetry;

/// <summary>
/// Watches the bounded queue between request threads and the log writer. Requests never wait for the
/// output: when the queue is full an event is dropped, and the drop is counted here for the
/// <c>modelgateway.log.dropped</c> metric instead of going unnoticed.
/// </summary>
internal sealed class LogPipelineMonitor
{
    private BatchedLogSink? _sink;
    private long _dropped;

    /// <summary>Log events dropped because the queue was full (or could not be written), since the process started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Log events waiting to be written.</summary>
    public int Queued => Volatile.Read(ref _sink)?.Queued ?? 0;

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    public void Attach(BatchedLogSink sink) => Volatile.Write(ref _sink, sink);

    // The drop count lives here, so it survives the logger being rebuilt and never goes backwards.
    public void Detach(BatchedLogSink sink) => Interlocked.CompareExchange(ref _sink, null, sink);
}
