using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace ModelGateway.Tests.Quotas;

/// <summary>
/// Redis dies mid-test (each test has its own redis-server): no request waits past the timeout, the configured
/// mode is followed, and once Redis is back the gateway enforces through it again by itself.
/// </summary>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private static readonly TimeSpan RedisTimeout = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan NoHang = RedisTimeout + TimeSpan.FromSeconds(1.5);
    private SimulatorHost _simulator = null!;
    private RedisServer _redis = null!;
    private string _prefix = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync();
        _redis = await RedisServer.StartAsync();
        _prefix = RedisServer.NewPrefix();
    }

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task Fail_open_serves_with_local_limits_while_redis_is_down_and_returns_to_redis_when_it_is_back()
    {
        await using var gateway = await GatewayHost.StartAsync(Config("fail-open"));
        using var client = gateway.HttpClient();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client));

        _redis.Kill();

        // Local enforcement, this replica only: a fresh window of 3.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests],
            [await SendAsync(client), await SendAsync(client), await SendAsync(client), await SendAsync(client)]);

        await _redis.RestartAsync();
        await WaitUntilRedisCountsAsync(client);

        // Redis (empty after the restart) counts again: the window it just started has room for exactly 3.
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests],
            [await SendAsync(client), await SendAsync(client), await SendAsync(client), await SendAsync(client)]);
        Assert.Equal(3, await RedisRequestsAsync());
    }

    [Fact]
    public async Task Fail_closed_answers_503_quickly_while_redis_is_down_and_serves_again_when_it_is_back()
    {
        await using var gateway = await GatewayHost.StartAsync(Config("fail-closed"));
        using var client = gateway.HttpClient();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client));

        _redis.Kill();
        using (var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody()))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.Contains("retry-after"));
            var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
            Assert.Equal("quota_store_unavailable", error.GetProperty("code").GetString());
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, await SendAsync(client));

        await _redis.RestartAsync();
        var deadline = Stopwatch.StartNew();
        HttpStatusCode status;
        while ((status = await SendAsync(client)) != HttpStatusCode.OK && deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, await RedisRequestsAsync());
    }

    private JsonObject Config(string mode) =>
        QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis.Address, _prefix, failureMode: mode, redisTimeout: "00:00:00.300")
            .WithTeam("ops", new JsonObject { ["RequestsPerMinute"] = 3 })
            .WithTestKey(team: "ops");

    /// <summary>Sends one request and checks it did not hang past the Redis timeout plus the upstream's own time.</summary>
    private static async Task<HttpStatusCode> SendAsync(HttpClient client)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
        Assert.True(clock.Elapsed < NoHang, $"the request took {clock.Elapsed}");
        return response.StatusCode;
    }

    /// <summary>Sends requests until one is counted in Redis (the connection came back), then clears the window.</summary>
    private async Task WaitUntilRedisCountsAsync(HttpClient client)
    {
        var deadline = Stopwatch.StartNew();
        while (await RedisRequestsAsync() == 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "the gateway did not return to Redis");
            await SendAsync(client);
            await Task.Delay(100);
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        await redis.GetDatabase().KeyDeleteAsync("{" + _prefix + "team:ops}:w:team:ops");
    }

    private async Task<long> RedisRequestsAsync()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.Address);
        var value = await redis.GetDatabase().HashGetAsync("{" + _prefix + "team:ops}:w:team:ops", "req");
        return value.IsNull ? 0 : (long)value;
    }
}
