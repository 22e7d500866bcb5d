using System.Data.Common;
using System.Net.Sockets;
using System.Threading.Channels;
using ModelGateway.Accounting;
using ModelGateway.Configuration;

namespace ModelGateway.Capture;

/// <summary>
/// The only writer of captured pairs. <see cref="Enqueue"/> is all the request path pays: one non-blocking write to
/// a queue bounded in items and in bytes (a full queue drops the pair and counts it, it never waits). A background
/// loop turns each pair into its training record (parsing, redaction, the final detector scan), releases the
/// request's buffers, and writes what has accumulated in one transaction. Content is not accounting: a pair the
/// database refuses is dropped and counted, not spooled.
/// </summary>
internal sealed partial class CaptureWriter : BackgroundService
{
    private const int QueueItems = 10_000;
    private const int BatchSize = 100;

    private readonly CaptureStore _store;
    private readonly LedgerWriter _ledger;
    private readonly CaptureMetrics _metrics;
    private readonly ILogger<CaptureWriter> _logger;
    private readonly Channel<PendingCapture> _queue;
    private readonly long _maxQueueBytes;
    private long _queuedBytes;
    private long _enqueued;
    private long _handled;
    private long _dropped;

    public CaptureWriter(CaptureStore store, LedgerWriter ledger, IGatewayConfigStore config, CaptureMetrics metrics, ILogger<CaptureWriter> logger)
    {
        _store = store;
        _ledger = ledger;
        _metrics = metrics;
        _logger = logger;
        _maxQueueBytes = config.Current.Config.Capture.QueueBytes;
        _queue = Channel.CreateBounded<PendingCapture>(new BoundedChannelOptions(QueueItems) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _metrics.QueueBytes = () => Interlocked.Read(ref _queuedBytes);
    }

    /// <summary>Queues one pair, taking ownership of it; never blocks, never throws.</summary>
    public void Enqueue(PendingCapture pending)
    {
        if (Interlocked.Add(ref _queuedBytes, pending.Bytes) > _maxQueueBytes || !_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _queuedBytes, -pending.Bytes);
            pending.Dispose();
            _metrics.Record(CaptureResult.QueueFull);
            if (Interlocked.Increment(ref _dropped) % 1000 == 1)
            {
                LogQueueFull(_maxQueueBytes);
            }

            return;
        }

        Interlocked.Increment(ref _enqueued);
    }

    /// <summary>Waits until every pair queued so far has been stored or refused.</summary>
    public async ValueTask FlushAsync(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _enqueued);
        using var deadline = new CancellationTokenSource(timeout);
        while (Interlocked.Read(ref _handled) < target)
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking pairs, then let the loop write what is queued (bounded by the host's shutdown timeout).
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<CaptureRow>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var taken = 0;
            while (taken < BatchSize && _queue.Reader.TryRead(out var pending))
            {
                taken++;
                Interlocked.Add(ref _queuedBytes, -pending.Bytes);
                using (pending)
                {
                    if (Build(pending) is { } row)
                    {
                        batch.Add(row);
                    }
                }
            }

            await PersistAsync(batch);
            batch.Clear();
            Interlocked.Add(ref _handled, taken);
        }
    }

    private CaptureRow? Build(PendingCapture pending)
    {
        var request = pending.Request;
        try
        {
            if (request.Conversation(out _) is not { } conversation)
            {
                _metrics.Record(CaptureResult.Malformed);
                return null;
            }

            if (AnswerReader.Read(pending.Answer, pending.EventStream) is not { } answer)
            {
                _metrics.Record(CaptureResult.Incomplete);
                return null;
            }

            var settings = request.Snapshot.Config.Capture;
            if (TrainingRecordBuilder.Build(conversation.Chat, answer, request.Classification.Detectors, settings, out var failure) is not { } record)
            {
                _metrics.Record(failure);
                return null;
            }

            return new CaptureRow
            {
                RequestId = request.Id,
                Timestamp = pending.CapturedAt,
                KeyId = request.Caller.KeyId,
                TeamId = request.Caller.TeamId ?? "",
                Model = request.Model,
                ProviderId = pending.ServedBy.Provider.Id,
                DeploymentId = pending.ServedBy.Config.Id,
                Level = request.Classification.Level,
                Redactions = record.Redactions,
                ToolCalls = record.ToolCalls,
                Streamed = request.Stream,
                Record = record.Json,
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in reading one pair must not stop capture for the process: the pair is lost, and said so.
            LogBuildFailed(ex, request.Id);
            _metrics.Record(CaptureResult.Malformed);
            return null;
        }
    }

    private async Task PersistAsync(List<CaptureRow> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        if (!_ledger.IsMigrated)
        {
            Failed(batch.Count, "schema not migrated");
            return;
        }

        try
        {
            // Not cancelled by shutdown: a batch in flight is finished, not abandoned half-way.
            await _store.InsertAsync(batch, CancellationToken.None);
            for (var i = 0; i < batch.Count; i++)
            {
                _metrics.Record(CaptureResult.Captured);
            }
        }
        catch (Exception ex) when (ex is DbException or SocketException or TimeoutException or IOException or InvalidOperationException)
        {
            Failed(batch.Count, ex.GetType().Name);
        }
    }

    private void Failed(int count, string error)
    {
        LogWriteFailed(count, error);
        for (var i = 0; i < count; i++)
        {
            _metrics.Record(CaptureResult.StoreFailed);
        }
    }

    [LoggerMessage(EventId = 2750, Level = LogLevel.Error, Message = "Capture queue is full ({MaxBytes} bytes); captured pairs are being dropped")]
    private partial void LogQueueFull(long maxBytes);

    [LoggerMessage(EventId = 2751, Level = LogLevel.Warning, Message = "Capture write of {Count} pairs failed ({Error}); they are dropped")]
    private partial void LogWriteFailed(int count, string error);

    [LoggerMessage(EventId = 2752, Level = LogLevel.Error, Message = "Capture could not read the pair of {RequestId}; it is dropped")]
    private partial void LogBuildFailed(Exception exception, string requestId);
}
