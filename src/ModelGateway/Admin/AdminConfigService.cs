using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelGateway.Configuration;

namespace ModelGateway.Admin;

/// <summary>
/// The admin API's view of the configuration: the newest revision of the document store, and the one way to
/// change it. A change is applied to a copy of the document, validated by the same
/// <see cref="GatewayConfigBuilder.TryBuild"/> the configuration file goes through, appended to the store
/// (compare-and-set on the version) and published as a new immutable snapshot. Revisions stored by other
/// replicas arrive by notification or by polling and are published the same way.
/// </summary>
internal sealed partial class AdminConfigService : IDisposable
{
    private const int MaxAttempts = 30;
    private readonly IConfigDocumentStore _store;
    private readonly IGatewayConfigStore _configStore;
    private readonly AdminKeys _adminKeys;
    private readonly IOptionsMonitor<GatewayOptions> _fileOptions;
    private readonly TimeProvider _timeProvider;
    private readonly CredentialPolicy _credentialPolicy;
    private readonly string? _adminRedis;
    private readonly ILogger<AdminConfigService> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IDisposable? _fileSubscription;
    private ConfigRevision? _current;
    private bool _subscribed;

    public AdminConfigService(IConfigDocumentStore store, IGatewayConfigStore configStore, AdminKeys adminKeys,
        IOptionsMonitor<GatewayOptions> fileOptions, TimeProvider timeProvider, AdminOptions adminOptions, ILogger<AdminConfigService> logger)
    {
        _credentialPolicy = new CredentialPolicy(adminOptions.CredentialPolicy);
        _adminRedis = adminOptions.Redis;
        _store = store;
        _configStore = configStore;
        _adminKeys = adminKeys;
        _fileOptions = fileOptions;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The newest revision this replica knows; null only while the store has never been reachable.</summary>
    public ConfigRevision? Current => Volatile.Read(ref _current);

    public IConfigDocumentStore Store => _store;

    /// <summary>
    /// Start-up: the store's newest version replaces the file's configuration; an empty store is seeded from
    /// the file. From now on the file is not followed (edits to it are logged and ignored).
    /// </summary>
    public async Task InitializeAsync(bool reset, CancellationToken cancellationToken)
    {
        (_configStore as GatewayConfigStore)?.StopFollowingOptions();
        _fileSubscription = _fileOptions.OnChange(_ => LogFileIgnored());
        await EnsureSubscribedAsync(cancellationToken);
        await RefreshAsync(0, cancellationToken);
        if (reset && Current is { } current && current.Audit.Action != "seed")
        {
            var result = await UpdateAsync("startup", "reset from configuration file", null, dryRun: false, document =>
            {
                document.Clear();
                foreach (var (name, value) in ConfigDocument.FromOptions(_fileOptions.CurrentValue))
                {
                    document[name] = value?.DeepClone();
                }

                return null;
            }, cancellationToken);
            if (result.Failure is { } failure)
            {
                throw new GatewayConfigException([$"--config-reset: the configuration file cannot be imported: {failure.Detail}"]);
            }
        }
    }

    /// <summary>
    /// Subscribes to the store's notifications once. A store that is down at start-up does not stop the gateway:
    /// it serves the file's configuration, admin calls answer 503, and polling subscribes and catches up later.
    /// </summary>
    public async Task EnsureSubscribedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _subscribed))
        {
            return;
        }

        try
        {
            await _store.SubscribeAsync(version => _ = RefreshAsync(version, CancellationToken.None), cancellationToken);
            Volatile.Write(ref _subscribed, true);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or IOException)
        {
            LogStoreUnavailable(ex);
        }
    }

    /// <summary>Reads the store and publishes its newest version if this replica is behind; seeds an empty store.</summary>
    public async Task RefreshAsync(long hint, CancellationToken cancellationToken)
    {
        if (hint != 0 && Current is { } known && hint <= known.Version)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await RefreshCoreAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStoreUnavailable(ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Applies <paramref name="edit"/> to a copy of the newest document, validates the result, and (unless
    /// <paramref name="dryRun"/>) stores and publishes it. Retried from a fresh read when another replica wins the race.
    /// </summary>
    public async Task<AdminWriteResult> UpdateAsync(string actor, string action, string? requestId, bool dryRun,
        Func<JsonObject, AdminFailure?> edit, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var current = Current ?? await RefreshCoreAsync(cancellationToken);
                if (current is null)
                {
                    return new(null, new AdminFailure(StatusCodes.Status503ServiceUnavailable, "Configuration store unavailable",
                        "The configuration store cannot be read; try again shortly."));
                }

                var before = JsonNode.Parse(current.Document)!.AsObject();
                var document = before.DeepClone().AsObject();
                if (edit(document) is { } refused)
                {
                    return new(null, refused);
                }

                var errors = new List<string>();
                var config = Validate(document, errors, out var canonical, previous: before);
                if (config is null)
                {
                    return new(null, AdminFailure.Invalid(errors));
                }

                var changes = ConfigDiff.Compute(before, canonical);
                if (dryRun || changes.Count == 0)
                {
                    return new(new AdminWrite(current, canonical!, changes, config, Applied: false), null);
                }

                var audit = new AuditEntry(current.Version + 1, _timeProvider.GetUtcNow(), actor, action, requestId, changes);
                var revision = new ConfigRevision(current.Version + 1, canonical!.ToJsonString(ConfigDocument.Storage), audit);
                if (await _store.TryAppendAsync(revision, cancellationToken))
                {
                    Volatile.Write(ref _current, revision);
                    _configStore.Publish(config);
                    LogChanged(revision.Version, actor, action, changes.Count);
                    return new(new AdminWrite(revision, canonical, changes, config, Applied: true), null);
                }

                // Another replica stored this version first: start again from its document, after a short
                // jittered pause so that replicas writing in a burst take turns instead of colliding again.
                await RefreshCoreAsync(cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 + (attempt * 2))), _timeProvider, cancellationToken);
            }

            return new(null, new AdminFailure(StatusCodes.Status409Conflict, "Conflict", "The configuration kept changing under this request; retry."));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Validates a document with the file's own rules; returns the config and the canonical document (connection
    /// strings redacted, as stored and shown). <paramref name="previous"/> is the document a change through the admin
    /// API starts from: its new credential references must pass the <see cref="CredentialPolicy"/>.
    /// </summary>
    public GatewayConfig? Validate(JsonObject document, List<string> errors, out JsonObject? canonical, JsonObject? previous = null)
    {
        canonical = null;
        var options = ConfigDocument.ToOptions<GatewayOptions>(document, "", errors);
        if (options is null)
        {
            return null;
        }

        NullValueCheck.Find(options, "", errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var startup = _fileOptions.CurrentValue;
        ConnectionStringSecrets.Resolve(options, [startup.Quotas.Redis, _adminRedis, _configStore.Current.Config.Quotas.Redis], errors);
        if (previous is not null)
        {
            var before = ConfigDocument.ToOptions<GatewayOptions>(previous, "", []);
            _credentialPolicy.Check(options, before, startup, errors);
            CredentialPolicy.CheckRedisPassword(options, before, startup, errors);
        }

        foreach (var (id, key) in options.Keys)
        {
            if (key.Sha256 is { } hash && _adminKeys.IsAdminHash(hash))
            {
                errors.Add($"Keys:{id}:Sha256 is the hash of an admin key; client and admin keys must differ.");
            }
        }

        var config = GatewayConfigBuilder.TryBuild(options, Environment.GetEnvironmentVariable, errors);
        if (config is null || errors.Count > 0)
        {
            return null;
        }

        canonical = ConnectionStringSecrets.RedactDocument(ConfigDocument.FromOptions(options));
        return config;
    }

    public void Dispose()
    {
        _fileSubscription?.Dispose();
        _gate.Dispose();
    }

    private async Task<ConfigRevision?> RefreshCoreAsync(CancellationToken cancellationToken)
    {
        var stored = await _store.ReadCurrentAsync(cancellationToken);
        if (stored is null)
        {
            stored = await SeedAsync(cancellationToken);
        }

        if (stored is null || (Current is { } known && stored.Version <= known.Version))
        {
            return Current;
        }

        var errors = new List<string>();
        var config = Validate(JsonNode.Parse(stored.Document)!.AsObject(), errors, out _);
        Volatile.Write(ref _current, stored);
        if (config is null)
        {
            // E.g. a credential's environment variable is set on the replica that made the change but not here.
            LogRevisionRejected(stored.Version, GatewayConfigBuilder.Describe(errors));
            return stored;
        }

        _configStore.Publish(config);
        LogApplied(stored.Version, stored.Audit.Actor, stored.Audit.Action);
        return stored;
    }

    private async Task<ConfigRevision?> SeedAsync(CancellationToken cancellationToken)
    {
        var document = ConnectionStringSecrets.RedactDocument(ConfigDocument.FromOptions(_fileOptions.CurrentValue));
        var seed = new ConfigRevision(1, document.ToJsonString(ConfigDocument.Storage),
            new AuditEntry(1, _timeProvider.GetUtcNow(), "startup", "seed", null, ConfigDiff.Compute(new JsonObject(), document)));
        if (await _store.TryAppendAsync(seed, cancellationToken))
        {
            LogSeeded();
            return seed;
        }

        // Another replica seeded first.
        return await _store.ReadCurrentAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Information, Message = "Configuration version {Version} stored by {Actor}: {Action} ({Changes} changes)")]
    private partial void LogChanged(long version, string actor, string action, int changes);

    [LoggerMessage(EventId = 501, Level = LogLevel.Information, Message = "Configuration version {Version} from the store in force ({Actor}: {Action})")]
    private partial void LogApplied(long version, string actor, string action);

    [LoggerMessage(EventId = 502, Level = LogLevel.Error, Message = "Configuration version {Version} from the store cannot be used here; the previous configuration stays in force. {Problems}")]
    private partial void LogRevisionRejected(long version, string problems);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "The configuration store cannot be read; the configuration in force stays")]
    private partial void LogStoreUnavailable(Exception exception);

    [LoggerMessage(EventId = 504, Level = LogLevel.Information, Message = "The configuration store was empty: seeded from the configuration file as version 1")]
    private partial void LogSeeded();

    [LoggerMessage(EventId = 505, Level = LogLevel.Warning, Message = "The configuration file changed, but the admin store is in charge: the change is ignored. " +
        "Use the admin API, or restart with --config-reset=true to import the file as a new version")]
    private partial void LogFileIgnored();
}

/// <summary>A successful change (or dry run), or why it was refused.</summary>
internal sealed record AdminWriteResult(AdminWrite? Write, AdminFailure? Failure);

/// <summary>The revision in force after a change (the previous one for a dry run or a change that changed nothing).</summary>
internal sealed record AdminWrite(ConfigRevision Revision, JsonObject Document, IReadOnlyList<ConfigChange> Changes, GatewayConfig Config, bool Applied);
