namespace ModelGateway.Telemetry;

/// <summary>
/// Counts what the log writer could not write. Requests never wait for the output: when its queue is full an event
/// is dropped, and the drop is counted here for the <c>modelgateway.log.dropped</c> metric instead of going unnoticed.
/// The count lives here, not in the writer, so it survives the logger being rebuilt and never goes backwards.
/// </summary>
internal sealed class LogPipelineMonitor
{
    private long _dropped;

    /// <summary>Log events dropped because the queue was full (or could not be written), since the process started.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void CountDropped() => Interlocked.Increment(ref _dropped);
}
