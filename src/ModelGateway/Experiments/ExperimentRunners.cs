using System.Collections.Concurrent;
using System.Threading.Channels;
using ModelGateway.Configuration;

namespace ModelGateway.Experiments;

/// <summary>
/// The background side of shadowing: per experiment, a bounded queue of sampled requests and as many workers as
/// the experiment allows shadow calls at once. Enqueuing never waits: a full queue drops the job and counts it.
/// A changed experiment gets a new runner; the old one finishes what it holds. On shutdown queued jobs are
/// released and calls in flight cancelled.
/// </summary>
internal sealed partial class ExperimentRunners : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, Runner> _runners = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ShadowEvaluator _evaluator;
    private readonly ExperimentMetrics _metrics;
    private readonly ILogger<ExperimentRunners> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Runner> _retired = [];
    private long _dropped;

    public ExperimentRunners(ShadowEvaluator evaluator, ExperimentMetrics metrics, ILogger<ExperimentRunners> logger)
    {
        _evaluator = evaluator;
        _metrics = metrics;
        _logger = logger;
        _metrics.QueueDepth = () => _runners.Values.Sum(r => (long)r.Queue.Reader.Count);
    }

    /// <summary>Queues a job for its experiment's workers; false (the job not taken, the drop counted) when the queue is full.</summary>
    public bool TryEnqueue(ShadowJob job)
    {
        if (_stopping.IsCancellationRequested)
        {
            return false;
        }

        var runner = RunnerFor(job.Experiment.Config);
        if (runner.Queue.Writer.TryWrite(job))
        {
            return true;
        }

        _metrics.Dropped(job.Experiment.Id, "queue_full");
        if (Interlocked.Increment(ref _dropped) % 1000 == 1)
        {
            LogQueueFull(job.Experiment.Id, job.Experiment.Config.QueueCapacity);
        }

        return false;
    }

    /// <summary>Whether the experiment's queue can take a job now (checked before a sampled request is copied).</summary>
    public bool HasRoom(ExperimentConfig config) =>
        !_stopping.IsCancellationRequested && RunnerFor(config).Queue.Reader.Count < config.QueueCapacity;

    /// <summary>
    /// Lets the workers of experiments that are no longer active (stopped, deleted) finish their queue and end;
    /// called when a new configuration is seen. A runner is made again on the next job if the experiment returns.
    /// </summary>
    public void Retire(IReadOnlySet<string> activeIds)
    {
        lock (_lock)
        {
            foreach (var (id, runner) in _runners)
            {
                if (!activeIds.Contains(id) && _runners.TryRemove(id, out _))
                {
                    runner.Queue.Writer.TryComplete();
                    _retired.RemoveAll(r => r.Completion.IsCompleted);
                    _retired.Add(runner);
                }
            }
        }
    }

    /// <summary>Jobs queued or in progress (for tests and shutdown).</summary>
    public int Pending => _runners.Values.Sum(r => r.Pending);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<Runner> all;
        lock (_lock)
        {
            all = [.. _runners.Values, .. _retired];
        }

        try
        {
            await _stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // Stopped and disposed already.
        }

        foreach (var runner in all)
        {
            runner.Queue.Writer.TryComplete();
        }

        try
        {
            await Task.WhenAll(all.Select(r => r.Completion)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout: shadow work is expendable.
        }
    }

    public void Dispose() => _stopping.Dispose();

    private Runner RunnerFor(ExperimentConfig config)
    {
        if (_runners.TryGetValue(config.Id, out var runner) && runner.Key == config.RunnerKey)
        {
            return runner;
        }

        lock (_lock)
        {
            if (_runners.TryGetValue(config.Id, out runner) && runner.Key == config.RunnerKey)
            {
                return runner;
            }

            var fresh = new Runner(config, this);
            if (runner is not null)
            {
                // Settings changed: the old runner finishes its queue and stops.
                runner.Queue.Writer.TryComplete();
                _retired.RemoveAll(r => r.Completion.IsCompleted);
                _retired.Add(runner);
            }

            _runners[config.Id] = fresh;
            return fresh;
        }
    }

    private async Task WorkAsync(Runner runner)
    {
        await foreach (var job in runner.Queue.Reader.ReadAllAsync())
        {
            Interlocked.Increment(ref runner.Working);
            try
            {
                if (!_stopping.IsCancellationRequested)
                {
                    await _evaluator.RunAsync(job, _stopping.Token);
                }
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Shutting down.
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogJobFailed(ex, job.Experiment.Id, job.Request.Id);
            }
            finally
            {
                job.Dispose();
                Interlocked.Decrement(ref runner.Working);
            }
        }
    }

    private sealed class Runner
    {
        public int Working;

        public Runner(ExperimentConfig config, ExperimentRunners owner)
        {
            Key = config.RunnerKey;
            Queue = Channel.CreateBounded<ShadowJob>(new BoundedChannelOptions(config.QueueCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait, // TryWrite then fails at once: the caller drops and counts.
                SingleReader = config.MaxConcurrentShadowCalls == 1,
            });
            Completion = Task.WhenAll(Enumerable.Range(0, config.MaxConcurrentShadowCalls).Select(_ => Task.Run(() => owner.WorkAsync(this))));
        }

        public string Key { get; }

        public Channel<ShadowJob> Queue { get; }

        public Task Completion { get; }

        public int Pending => Queue.Reader.Count + Volatile.Read(ref Working);
    }

    [LoggerMessage(EventId = 2700, Level = LogLevel.Warning, Message = "Experiment {Experiment}: the shadow queue is full ({Capacity}); sampled requests are dropped (counted in modelgateway.experiment.dropped)")]
    private partial void LogQueueFull(string experiment, int capacity);

    [LoggerMessage(EventId = 2701, Level = LogLevel.Error, Message = "Experiment {Experiment}: the shadow job of request {RequestId} failed")]
    private partial void LogJobFailed(Exception exception, string experiment, string requestId);
}
