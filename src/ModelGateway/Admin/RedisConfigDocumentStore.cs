using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace ModelGateway.Admin;

/// <summary>
/// The shared store: <c>{prefix}version</c> holds the newest version number and <c>{prefix}rev:N</c> each revision.
/// One Lua script checks the version, stores the revision, bumps the version and publishes it on
/// <c>{prefix}changed</c>, all atomically, so replicas never see a version without its document.
/// </summary>
internal sealed class RedisConfigDocumentStore : IConfigDocumentStore
{
    // Returns -1 when stored, otherwise the newest version (the caller lost the race).
    private const string AppendScript = """
        local newest = tonumber(redis.call('GET', KEYS[1]) or '0')
        if newest ~= tonumber(ARGV[1]) - 1 then return newest end
        redis.call('SET', KEYS[2], ARGV[2])
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('PUBLISH', ARGV[3], ARGV[1])
        return -1
        """;

    private readonly ConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly RedisKey _versionKey;
    private readonly RedisChannel _channel;

    private RedisConfigDocumentStore(ConnectionMultiplexer redis, string prefix)
    {
        _redis = redis;
        _prefix = prefix;
        _versionKey = prefix + "version";
        _channel = RedisChannel.Literal(prefix + "changed");
    }

    public static RedisConfigDocumentStore Connect(ConfigurationOptions options, string prefix)
    {
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = Math.Max(options.ConnectTimeout, 2000);
        options.ReconnectRetryPolicy = new LinearRetry(500);

        // While Redis is down, fail at once (admin calls answer 503) instead of queueing behind the reconnect.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, 2000);
        return new RedisConfigDocumentStore(ConnectionMultiplexer.Connect(options), prefix);
    }

    public async Task<ConfigRevision?> ReadCurrentAsync(CancellationToken cancellationToken)
    {
        var newest = await _redis.GetDatabase().StringGetAsync(_versionKey);
        return newest.IsNull ? null : await ReadVersionAsync((long)newest, cancellationToken);
    }

    public async Task<ConfigRevision?> ReadVersionAsync(long version, CancellationToken cancellationToken)
    {
        var value = await _redis.GetDatabase().StringGetAsync(RevisionKey(version));
        return value.IsNull ? null : JsonSerializer.Deserialize<ConfigRevision>((string)value!, ConfigDocument.Storage);
    }

    public async Task<bool> TryAppendAsync(ConfigRevision revision, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(revision, ConfigDocument.Storage);
        var result = await _redis.GetDatabase().ScriptEvaluateAsync(
            AppendScript,
            [_versionKey, RevisionKey(revision.Version)],
            [revision.Version, json, _channel.ToString()]);
        return (long)result == -1;
    }

    public async Task<IReadOnlyList<AuditEntry>> ReadAuditAsync(long? before, int limit, CancellationToken cancellationToken)
    {
        var database = _redis.GetDatabase();
        var newest = await database.StringGetAsync(_versionKey);
        if (newest.IsNull)
        {
            return [];
        }

        var top = Math.Min((long)newest, (before ?? long.MaxValue) - 1);
        var keys = new List<RedisKey>();
        for (var version = top; version >= 1 && keys.Count < limit; version--)
        {
            keys.Add(RevisionKey(version));
        }

        var values = keys.Count == 0 ? [] : await database.StringGetAsync([.. keys]);
        return [.. values.Where(v => !v.IsNull).Select(v => JsonSerializer.Deserialize<ConfigRevision>((string)v!, ConfigDocument.Storage)!.Audit)];
    }

    public async Task SubscribeAsync(Action<long> onVersion, CancellationToken cancellationToken)
    {
        await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
        {
            if (long.TryParse((string?)message, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                onVersion(version);
            }
        });

        // A reconnect may have hidden a notification: look again.
        _redis.ConnectionRestored += (_, _) => onVersion(0);
    }

    public void Dispose() => _redis.Dispose();

    private RedisKey RevisionKey(long version) => _prefix + "rev:" + version.ToString(CultureInfo.InvariantCulture);
}
