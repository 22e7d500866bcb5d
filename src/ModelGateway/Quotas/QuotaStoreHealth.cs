namespace ModelGateway.Quotas;

/// <summary>
/// Whether the shared quota store (Redis) answers. Trouble is logged once when it starts and once when Redis
/// answers again, not per request: an outage at hundreds of requests per second would otherwise log thousands of
/// identical lines. Every affected request still counts in <c>modelgateway.quota.degraded_requests</c>.
/// </summary>
internal sealed partial class QuotaStoreHealth
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<QuotaStoreHealth> _logger;
    private int _degraded;
    private long _since;
    private long _affected;

    public QuotaStoreHealth(TimeProvider timeProvider, ILogger<QuotaStoreHealth> logger)
    {
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public bool IsDegraded => Volatile.Read(ref _degraded) == 1;

    /// <summary>A store call failed or timed out; <paramref name="request"/> when a request was decided without Redis.</summary>
    public void Failed(string operation, string mode, Exception error, bool request)
    {
        if (request)
        {
            Interlocked.Increment(ref _affected);
        }

        if (Interlocked.CompareExchange(ref _degraded, 1, 0) == 0)
        {
            Interlocked.Exchange(ref _since, _timeProvider.GetTimestamp());
            LogDegraded(operation, error.GetType().Name, mode);
        }
    }

    /// <summary>A store call succeeded. Cheap when healthy: one volatile read.</summary>
    public void Answered()
    {
        if (Volatile.Read(ref _degraded) == 0 || Interlocked.CompareExchange(ref _degraded, 0, 1) != 1)
        {
            return;
        }

        var elapsed = _timeProvider.GetElapsedTime(Interlocked.Read(ref _since));
        LogRecovered(elapsed.TotalSeconds, Interlocked.Exchange(ref _affected, 0));
    }

    [LoggerMessage(EventId = 1400, Level = LogLevel.Warning,
        Message = "Quota store Redis is failing ({Operation} failed: {Error}); following mode {Mode} until it answers again")]
    private partial void LogDegraded(string operation, string error, string mode);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information,
        Message = "Quota store Redis answers again after {Seconds:0.0} s; {Requests} requests were decided without it meanwhile")]
    private partial void LogRecovered(double seconds, long requests);
}
