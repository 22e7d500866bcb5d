using System.Buffers;
using System.Text.Json;
using ModelGateway.Sensitivity;
using StackExchange.Redis;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Stored responses in Redis (the connection <c>Quotas:Redis</c> opened), one key per response expiring with its
/// retention, so a continuation works on any replica at once. While Redis cannot be reached, this replica keeps
/// responses in its own memory (and looks there too), so a conversation on one replica goes on.
/// </summary>
internal sealed partial class RedisResponseStore : IResponseStore
{
    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly InMemoryResponseStore _local;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RedisResponseStore> _logger;

    public RedisResponseStore(IConnectionMultiplexer redis, string prefix, TimeProvider timeProvider, ILogger<RedisResponseStore> logger)
    {
        _redis = redis;
        _prefix = prefix + "resp:";
        _timeProvider = timeProvider;
        _local = new InMemoryResponseStore(timeProvider);
        _logger = logger;
    }

    public async ValueTask<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            var value = await _redis.GetDatabase().StringGetAsync(_prefix + id);
            if (value.HasValue)
            {
                return Read(id, (byte[])value!);
            }
        }
        catch (RedisException ex)
        {
            LogRedisFailed(ex.GetType().Name);
        }

        return await _local.GetAsync(id, cancellationToken);
    }

    public async ValueTask SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        var ttl = response.ExpiresAt - _timeProvider.GetUtcNow();
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await _redis.GetDatabase().StringSetAsync(_prefix + response.Id, Write(response), ttl);
        }
        catch (RedisException ex)
        {
            LogRedisFailed(ex.GetType().Name);
            await _local.SaveAsync(response, cancellationToken);
        }
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var deleted = await _local.DeleteAsync(id, cancellationToken);
        try
        {
            deleted |= await _redis.GetDatabase().KeyDeleteAsync(_prefix + id);
        }
        catch (RedisException ex)
        {
            LogRedisFailed(ex.GetType().Name);
        }

        return deleted;
    }

    [LoggerMessage(EventId = 2500, Level = LogLevel.Warning, Message = "Stored responses: Redis failed ({Error}); this replica uses its own memory meanwhile")]
    private partial void LogRedisFailed(string error);

    private static byte[] Write(StoredResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("owner"u8, response.OwnerKeyId);
            json.WriteString("team"u8, response.OwnerTeamId);
            json.WriteNumber("level"u8, (int)response.Level);
            json.WriteNumber("expires"u8, response.ExpiresAt.ToUnixTimeMilliseconds());
            WriteItems(json, "input"u8, response.Input);
            WriteItems(json, "own"u8, response.OwnInput);
            WriteItems(json, "output"u8, response.Output);
            json.WritePropertyName("response"u8);
            json.WriteRawValue(response.Response, skipInputValidation: true);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteItems(Utf8JsonWriter json, ReadOnlySpan<byte> name, IReadOnlyList<byte[]> items)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteRawValue(item, skipInputValidation: true);
        }

        json.WriteEndArray();
    }

    private static StoredResponse Read(string id, byte[] value)
    {
        using var document = JsonDocument.Parse(value);
        var root = document.RootElement;
        return new StoredResponse
        {
            Id = id,
            OwnerKeyId = root.GetProperty("owner").GetString()!,
            OwnerTeamId = root.GetProperty("team").GetString(),
            Level = (SensitivityLevel)root.GetProperty("level").GetInt32(),
            ExpiresAt = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("expires").GetInt64()),
            Input = Items(root.GetProperty("input")),
            OwnInput = Items(root.GetProperty("own")),
            Output = Items(root.GetProperty("output")),
            Response = System.Text.Encoding.UTF8.GetBytes(root.GetProperty("response").GetRawText()),
        };
    }

    private static List<byte[]> Items(JsonElement array)
    {
        var items = new List<byte[]>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            items.Add(System.Text.Encoding.UTF8.GetBytes(item.GetRawText()));
        }

        return items;
    }
}
