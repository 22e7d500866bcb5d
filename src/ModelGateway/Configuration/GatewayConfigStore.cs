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
    private readonly IConfiguration? _configuration;
    private readonly ConfigFile? _file;
    private IDisposable? _optionsSubscription;
    private readonly Lock _publishLock = new();
    private GatewaySnapshot _current;
    private CancellationTokenSource _changeSource = new();

    /// <param name="configuration">The configuration the options are bound from: each reload is checked strictly
    /// (<see cref="StrictConfiguration"/>) before binding, because the binder drops what it cannot convert.</param>
    /// <param name="file">The <c>--config</c> file, whose broken saves are reported here.</param>
    public GatewayConfigStore(IOptionsMonitor<GatewayOptions> options, ILogger<GatewayConfigStore> logger, TimeProvider timeProvider,
        IConfiguration? configuration = null, ConfigFile? file = null)
        : this(options, logger, timeProvider, Environment.GetEnvironmentVariable)
    {
        _configuration = configuration;
        _file = file;
    }

    internal GatewayConfigStore(
        IOptionsMonitor<GatewayOptions> options, ILogger<GatewayConfigStore> logger, TimeProvider timeProvider, Func<string, string?> environment)
    {
        _logger = logger;
        _environment = environment;
        _timeProvider = timeProvider;

        // A bad first load stops the gateway: GatewayConfigException carries every problem.
        _current = new GatewaySnapshot(GatewayConfigBuilder.Build(options.CurrentValue, environment), version: 1, timeProvider.GetUtcNow());
        WarnAboutQuickStartKey(_current.Config);
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
        WarnAboutQuickStartKey(config);
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
        if (_file?.TakeReloadProblem() is { } broken)
        {
            errors.Add(broken);
        }
        else if (_configuration is not null)
        {
            errors.AddRange(StrictConfiguration.CheckGateway(_configuration, _file));
        }

        var config = errors.Count == 0 ? GatewayConfigBuilder.TryBuild(options, _environment, errors) : null;
        if (config is null)
        {
            LogReloadRejected(GatewayConfigBuilder.Describe(errors));
            return;
        }

        Publish(config);
    }

    /// <summary>The quick start's key is public (it is in the README): a configuration copied from it must not keep it.</summary>
    private void WarnAboutQuickStartKey(GatewayConfig config)
    {
        foreach (var key in config.Keys.Values)
        {
            if (!key.Disabled && key.Sha256.Span.SequenceEqual(QuickStart.KeySha256))
            {
                LogQuickStartKey(key.Id);
            }
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Client key '{KeyId}' is the quick start's publicly known key (mg-quickstart-key): " +
        "anyone can use it. Remove it, and the simulator deployments, before production (docs/configuration.md)")]
    private partial void LogQuickStartKey(string keyId);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Configuration version {Version} in force: {Providers} providers, {Deployments} deployments")]
    private partial void LogPublished(long version, int providers, int deployments);

    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "Configuration change rejected; the previous configuration stays in force. {Problems}")]
    private partial void LogReloadRejected(string problems);
}
