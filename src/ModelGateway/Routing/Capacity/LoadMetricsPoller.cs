using ModelGateway.Configuration;
using ModelGateway.Providers.Dialects;

namespace ModelGateway.Routing.Capacity;

/// <summary>
/// Reads each capacity-limited deployment's metrics endpoint at its poll interval (a read may take the interval, at
/// least one second). A read that fails (refused, non-2xx, slow, not the expected gauges) leaves that deployment on in-flight
/// counts alone; the change between working and failing is logged once each way, never per read or per request.
/// </summary>
internal sealed partial class LoadMetricsPoller : BackgroundService
{
    public const string HttpClientName = "ModelGateway.LoadMetrics";

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly IGatewayConfigStore _store;
    private readonly DeploymentLoad _load;
    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LoadMetricsPoller> _logger;
    private readonly Dictionary<string, Target> _targets = new(StringComparer.Ordinal);

    public LoadMetricsPoller(IGatewayConfigStore store, DeploymentLoad load, IHttpClientFactory clients, TimeProvider timeProvider, ILogger<LoadMetricsPoller> logger)
    {
        _store = store;
        _load = load;
        _clients = clients;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, _timeProvider);
        do
        {
            var snapshot = _store.Current;
            var due = new List<Task>();
            foreach (var deployment in snapshot.Config.Deployments.Values)
            {
                if (deployment.Capacity?.MetricsUrl is not { } url)
                {
                    continue;
                }

                var target = TargetFor(deployment, url);
                if (!target.Busy && _timeProvider.GetElapsedTime(target.LastStarted) >= deployment.Capacity.PollInterval)
                {
                    target.Busy = true;
                    target.LastStarted = _timeProvider.GetTimestamp();
                    var gauges = DialectProfiles.For(snapshot.Config.Providers[deployment.ProviderId].Dialect).Load!;
                    due.Add(PollAsync(deployment.Id, target, url, gauges, ReadTimeout(deployment.Capacity.PollInterval), stoppingToken));
                }
            }

            // Not awaited together with the tick: one slow endpoint must not delay the others' reads.
            _ = due.Count == 0 ? Task.CompletedTask : Task.WhenAll(due);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>The interval, but at least a second: a short interval must not turn a busy server's slower answer into a failure.</summary>
    private static TimeSpan ReadTimeout(TimeSpan interval) => interval > TimeSpan.FromSeconds(1) ? interval : TimeSpan.FromSeconds(1);

    private Target TargetFor(DeploymentConfig deployment, Uri url)
    {
        if (!_targets.TryGetValue(deployment.Id, out var target) || target.Url != url)
        {
            _targets[deployment.Id] = target = new Target(url);
        }

        return target;
    }

    private async Task PollAsync(string deploymentId, Target target, Uri url, LoadGauges gauges, TimeSpan timeout, CancellationToken stoppingToken)
    {
        string? problem;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            deadline.CancelAfter(timeout);
            var client = _clients.CreateClient(HttpClientName);
            using var response = await client.GetAsync(url, HttpCompletionOption.ResponseContentRead, deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                problem = $"status {(int)response.StatusCode}";
            }
            else
            {
                var text = await response.Content.ReadAsStringAsync(deadline.Token);
                problem = PrometheusGauges.TryRead(text, gauges, _timeProvider.GetTimestamp(), out var load) ? null : "no " + gauges.Running + " and " + gauges.Waiting + " gauges in the response";
                if (problem is null)
                {
                    _load.RecordServerLoad(deploymentId, load);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (OperationCanceledException)
        {
            problem = $"no answer within {timeout.TotalMilliseconds:0} ms";
        }
        catch (HttpRequestException ex)
        {
            problem = ex.HttpRequestError.ToString();
        }
        finally
        {
            target.Busy = false;
        }

        if (problem is not null)
        {
            _load.RecordMetricsFailure(deploymentId);
        }

        // Logged on a change of state only: a server whose metrics stay down is one line, not one per poll.
        var failing = problem is not null;
        if (target.Failing != failing)
        {
            target.Failing = failing;
            if (failing)
            {
                LogMetricsFailing(deploymentId, url.GetLeftPart(UriPartial.Path), problem!);
            }
            else if (target.EverFailed)
            {
                LogMetricsRecovered(deploymentId);
            }
        }

        target.EverFailed |= failing;
    }

    [LoggerMessage(EventId = 2300, Level = LogLevel.Warning,
        Message = "Load metrics of deployment {Deployment} cannot be read from {Url} ({Problem}); routing uses the gateway's in-flight count alone until they can")]
    private partial void LogMetricsFailing(string deployment, string url, string problem);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Load metrics of deployment {Deployment} are read again")]
    private partial void LogMetricsRecovered(string deployment);

    private sealed class Target(Uri url)
    {
        private int _busy;

        public Uri Url { get; } = url;

        public long LastStarted { get; set; }

        /// <summary>Null before the first read, so that a first failure is logged too.</summary>
        public bool? Failing { get; set; }

        public bool EverFailed { get; set; }

        public bool Busy
        {
            get => Volatile.Read(ref _busy) == 1;
            set => Volatile.Write(ref _busy, value ? 1 : 0);
        }
    }
}
