using StackExchange.Redis;

namespace ModelGateway.Quotas;

/// <summary>
/// The stores chosen at start-up: Redis when <c>Quotas:Redis</c> is set (with an in-memory store as each replica's
/// fallback in <c>fail-open</c> mode), otherwise one in-memory store. The Redis connection never blocks start-up:
/// it connects, and reconnects, in the background, and commands fail fast while it is down.
/// </summary>
internal sealed class QuotaStores : IDisposable
{
    public QuotaStores(QuotaSettings settings, TimeProvider timeProvider)
    {
        Local = new InMemoryQuotaStore();
        if (settings.Redis is null)
        {
            Primary = Local;
            return;
        }

        var options = RedisConnection.Options(settings.Redis, settings.RedisPassword, settings.RedisTls);
        var timeoutMs = (int)Math.Ceiling(settings.RedisTimeout.TotalMilliseconds);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Max(timeoutMs, 1000);
        options.AsyncTimeout = timeoutMs;
        options.SyncTimeout = timeoutMs;
        options.ConnectRetry = 1;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(500);

        // No pub/sub is used: without the subscription connection there is one socket per server to keep healthy.
        options.CommandMap = CommandMap.Create(["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"], available: false);
        options.ConfigurationChannel = string.Empty;
        Redis = ConnectionMultiplexer.Connect(options);

        Primary = new RedisQuotaStore(Redis, settings.KeyPrefix, settings.RedisTimeout, timeProvider);
    }

    /// <summary>Redis, or the in-memory store when Redis is not configured.</summary>
    public IQuotaStore Primary { get; }

    /// <summary>This replica's own store: the embedded default, or the fallback while Redis is unreachable.</summary>
    public IQuotaStore Local { get; }

    public ConnectionMultiplexer? Redis { get; }

    public bool IsShared => Redis is not null;

    /// <summary>
    /// Commands fail fast while disconnected, so the first connection gets its chance before the gateway serves:
    /// waits until Redis answers or <paramref name="timeout"/> passes (then the failure mode applies until it does).
    /// </summary>
    public async Task WaitForConnectionAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Redis is null)
        {
            return;
        }

        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            while (!Redis.GetDatabase().IsConnected(default))
            {
                await Task.Delay(10, linked.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Redis is not there yet; it reconnects in the background.
        }
    }

    public void Dispose() => Redis?.Dispose();
}
