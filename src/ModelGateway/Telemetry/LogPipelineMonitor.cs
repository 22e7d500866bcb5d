using Serilog.Sinks.Async;

namespace ModelGateway.Telemetry;

/// <summary>
/// Watches the bounded queue between request threads and the console writer. Requests never wait for the
/// console: when the queue is full an event is dropped, and the drop is counted here for the
/// <c>modelgateway.log.dropped</c> metric instead of going unnoticed.
/// </summary>
internal sealed class LogPipelineMonitor : IAsyncLogEventSinkMonitor
{
    private IAsyncLogEventSinkInspector? _inspector;
    private long _droppedBeforeRestart;

    /// <summary>Log events dropped because the queue was full, since the process started.</summary>
    public long Dropped => _droppedBeforeRestart + (Volatile.Read(ref _inspector)?.DroppedMessagesCount ?? 0);

    /// <summary>Log events waiting to be written.</summary>
    public int Queued => Volatile.Read(ref _inspector)?.Count ?? 0;

    public void StartMonitoring(IAsyncLogEventSinkInspector inspector) => Volatile.Write(ref _inspector, inspector);

    public void StopMonitoring(IAsyncLogEventSinkInspector inspector)
    {
        // Keep the count when the logger is rebuilt or disposed, so the counter never goes backwards.
        Interlocked.Add(ref _droppedBeforeRestart, inspector.DroppedMessagesCount);
        Interlocked.CompareExchange(ref _inspector, null, inspector);
    }
}
