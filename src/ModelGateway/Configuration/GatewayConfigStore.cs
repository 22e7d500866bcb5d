using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ModelGateway.Configuration;

/// <summary>
/// The in-process store. It starts from the bound configuration (file plus environment), and follows file
/// edits: a good edit becomes the next snapshot, a bad one is logged and the last good snapshot stays.
/// </summary>
internal sealed partial class GatewayConfigStore : IGatewayConfigStore, IDisposable
{
    private readonly ILogger<GatewayConfigStore> _logger;
    private readonly Func<string, string?> _environment;
    private readonly TimeProvider _timeProvider;
    private IDisposable? _optionsSubscription;
    private readonly Lock _publishLock = new();
    private GatewaySnapshot _current;
    private CancellationTokenSource _changeSource = new();

    public GatewayConfigStore(IOptionsMonitor<GatewayOptions> options, ILogger<GatewayConfigStore> logger, TimeProvider timeProvider)
        : this(options, logger, timeProvider, Environment.GetEnvironmentVariable)
    {
    }

    internal GatewayConfigStore(
        IOptionsMonitor<GatewayOptions> options, ILogger<GatewayConfigStore> logger, TimeProvider timeProvider, Func<string, string?> environment)
    {
        _logger = logger;
        _environment = environment;
        _timeProvider = timeProvider;

        // A bad first load stops the gateway: GatewayConfigException carries every problem.
        _current = new GatewaySnapshot(GatewayConfigBuilder.Build(options.CurrentValue, environment), version: 1, timeProvider.GetUtcNow());
        _optionsSubscription = options.OnChange(Reload);
    }

    public GatewaySnapshot Current => Volatile.Read(ref _current);

    public IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changeSource).Token);

    public GatewaySnapshot Publish(GatewayConfig config)
    {
        GatewaySnapshot next;
        CancellationTokenSource previousSource;
        lock (_publishLock)
        {
            next = new GatewaySnapshot(config, _current.Version + 1, _timeProvider.GetUtcNow());
            Volatile.Write(ref _current, next);
            previousSource = Interlocked.Exchange(ref _changeSource, new CancellationTokenSource());
        }

        previousSource.Cancel();
        previousSource.Dispose();
        LogPublished(next.Version, config.Providers.Count, config.Deployments.Count);
        return next;
    }

    /// <summary>From now on file edits are not applied: another source (the admin document store) is in charge.</summary>
    public void StopFollowingOptions() => Interlocked.Exchange(ref _optionsSubscription, null)?.Dispose();

    public void Dispose()
    {
        _optionsSubscription?.Dispose();
        _changeSource.Dispose();
    }

    private void Reload(GatewayOptions options)
    {
        var errors = new List<string>();
        var config = GatewayConfigBuilder.TryBuild(options, _environment, errors);
        if (config is null)
        {
            LogReloadRejected(GatewayConfigBuilder.Describe(errors));
            return;
        }

        Publish(config);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Configuration version {Version} in force: {Providers} providers, {Deployments} deployments")]
    private partial void LogPublished(long version, int providers, int deployments);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Configuration change rejected; the previous configuration stays in force. {Problems}")]
    private partial void LogReloadRejected(string problems);
}
