using System.Globalization;
using ModelGateway.Accounting;
using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace ModelGateway.Tests.Quotas;

/// <summary>The Redis ledger counts each request once, however often its batch is written.</summary>
public sealed class RedisLedgerTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private string _redis = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync();
        _redis = await RedisServer.SharedAddressAsync();
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task A_batch_retried_after_a_partial_write_counts_each_request_once()
    {
        var prefix = RedisServer.NewPrefix();
        await using var gateway = await GatewayHost.StartAsync(QuotaTestConfig.Gateway(_simulator).WithQuotas(_redis, prefix));
        var ledger = gateway.Service<RedisUsageLedger>();
        var now = DateTimeOffset.UtcNow;
        UsageRecord[] batch =
        [
            Record("req_a", 0.001m, now),
            Record("req_b", 0.002m, now),
            Record("req_c", 0.004m, now),
            Record("req_d", 0.008m, now),
        ];

        // The first attempt reached Redis for half the batch only (a timeout, a dropped connection); the loop then
        // writes the whole batch again, and Redis may even run the first attempt's commands again later.
        Assert.True(await ledger.TryWriteAsync(batch[..2]));
        Assert.True(await ledger.TryWriteAsync(batch));
        Assert.True(await ledger.TryWriteAsync(batch[..2]));

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var records = await ledger.ReadAsync(today, today, default);
        Assert.Equal(["req_a", "req_b", "req_c", "req_d"], records.Select(r => r.RequestId).Order(StringComparer.Ordinal));

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis);
        var spend = redis.GetDatabase().HashGetAll(prefix + "spend:" + today.ToString("yyyyMMdd", CultureInfo.InvariantCulture))
            .ToDictionary(e => (string)e.Name!, e => (long)e.Value, StringComparer.Ordinal);
        var unique = QuotaService.ToNano(batch.Sum(r => r.CostUsd));
        Assert.Equal(unique, spend["key:" + TestConfig.ClientKeyId]);
        Assert.Equal(unique, spend["team:eng"]);
        Assert.Equal(unique, spend["model:" + QuotaTestConfig.Model]);
        Assert.Equal(unique, spend["provider:sim"]);
        Assert.Equal(unique, spend["deployment:qwen-sim"]);
    }

    private static UsageRecord Record(string id, decimal cost, DateTimeOffset at) =>
        new(id, TestConfig.ClientKeyId, QuotaTestConfig.Model, "sim", "qwen-sim", "chat", new TokenUsage(10, 0, 5, 0), true, cost, at) { TeamId = "eng" };
}
