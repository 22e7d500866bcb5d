using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using Serilog.Formatting;
using ModelGateway.Telemetry;

namespace ModelGateway.Hosting;

/// <summary>
/// The log's only sink. Request threads only enqueue (a bounded queue: when it is full the event is dropped and
/// counted, requests never wait); one background thread wakes every <see cref="FlushInterval"/>, formats what
/// arrived and writes it with one flush. Waking per event (as a blocking queue does) cost a thread switch and a
/// write call for every request line, most of the request log's cost at saturation.
/// </summary>
internal sealed class BatchedLogSink : ILogEventSink, IDisposable
{
    /// <summary>How long a line may wait before it is written: short enough for <c>tail -f</c>, long enough to batch.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);

    private readonly ConcurrentQueue<LogEvent> _queue = new();
    private readonly ITextFormatter _formatter;
    private readonly bool _escape;
    private readonly TextWriter _output;
    private readonly int _capacity;
    private readonly LogPipelineMonitor _monitor;
    private readonly ManualResetEventSlim _wake = new();
    private readonly Thread _writer;
    private int _queued;
    private volatile bool _stopping;

    /// <param name="formatter">Renders one event as one line.</param>
    /// <param name="escape">Escape control characters in values first (the text format; JSON escapes them itself).</param>
    /// <param name="output">Written only by the background thread, under a lock on the writer, and flushed per batch.</param>
    public BatchedLogSink(ITextFormatter formatter, bool escape, TextWriter output, int capacity, LogPipelineMonitor monitor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _formatter = formatter;
        _escape = escape;
        _output = output;
        _capacity = capacity;
        _monitor = monitor;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "log-writer" };
        _writer.Start();
    }

    public void Emit(LogEvent logEvent)
    {
        var queued = Interlocked.Increment(ref _queued);
        if (queued > _capacity || _stopping)
        {
            Interlocked.Decrement(ref _queued);
            _monitor.CountDropped();
            return;
        }

        _queue.Enqueue(logEvent);
        if (queued == _capacity / 2 + 1)
        {
            _wake.Set(); // A burst: write now rather than let the queue fill before the next tick.
        }
    }

    private void WriteLoop()
    {
        while (!_stopping)
        {
            _wake.Wait(FlushInterval);
            _wake.Reset();
            WriteQueued();
        }

        WriteQueued();
    }

    private void WriteQueued()
    {
        if (_queue.IsEmpty)
        {
            return;
        }

        lock (_output)
        {
            while (_queue.TryDequeue(out var logEvent))
            {
                Interlocked.Decrement(ref _queued);
                Write(logEvent);
            }

            try
            {
                _output.Flush();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                SelfLog.WriteLine("The log output could not be flushed: {0}", ex.Message);
            }
        }
    }

    private void Write(LogEvent logEvent)
    {
        try
        {
            _formatter.Format(_escape ? LogEscaping.Escape(logEvent) : logEvent, _output);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // One event that cannot be rendered or written must not stop the writer.
            _monitor.CountDropped();
            SelfLog.WriteLine("A log event could not be written: {0}", ex.Message);
        }
    }

    /// <summary>Writes what is queued, then stops; events emitted afterwards are dropped and counted.</summary>
    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        _writer.Join();
        WriteQueued(); // an Emit that passed the check just before _stopping was set
    }
}
