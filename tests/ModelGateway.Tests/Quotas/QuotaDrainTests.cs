using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Quotas;

/// <summary>
/// The quota step of shutdown on a real gateway and a real Redis: it waits for the holds its requests are settling,
/// and releases, without charge, a hold whose request never settles, so nothing is left held when the process exits.
/// (<see cref="Deploy.DrainQuotaTests"/> runs the whole drain with a real process and signal.)
/// </summary>
public sealed class QuotaDrainTests
{
    private const string Group = "key:" + TestConfig.ClientKeyId;

    [Fact]
    public async Task Shutdown_waits_for_a_settlement_on_its_way_and_releases_a_hold_whose_request_never_settles()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        var config = QuotaTestConfig.Gateway(simulator)
            .WithQuotas(await RedisServer.SharedAddressAsync(), RedisServer.NewPrefix(), failureMode: "fail-closed", redisTimeout: "00:00:02")
            .WithTestKey(limits: new JsonObject { ["UsdPerDay"] = 10m });
        config["Quotas"]!["ReservationTimeout"] = "01:00:00";
        var logs = new LogCapture();
        await using var gateway = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs));
        var store = gateway.Service<QuotaStores>().Primary;
        var holds = gateway.Service<QuotaHolds>();
        var now = DateTimeOffset.UtcNow;
        var (day, month) = (now.ToString("yyyyMMdd", null), now.ToString("yyyyMM", null));

        // Two reservations of requests in flight: one settles a moment into the shutdown, the other never does.
        var settling = await OpenAsync(store, holds, "settling", now);
        var stuck = await OpenAsync(store, holds, "stuck", now);
        Assert.Equal(new ScopeUsage(0, 2_000_000, 0, 2_000_000, 2), await store.ReadAsync(Group, Group, day, month, default));

        var settled = Task.Run(async () =>
        {
            await Task.Delay(300);
            Assert.True(settling.Hold.TryClaim());
            await store.SettleAsync(settling.Hold.Ask, settling.Decision, 4, 400_000, default);
            holds.Close(settling.Hold);
        });
        await gateway.Service<QuotaDrain>().SettleAsync(TimeSpan.FromSeconds(2));
        await settled;

        // The settled one is charged what it used; the stuck one is released, not charged; nothing is held or in flight.
        Assert.Equal(new ScopeUsage(400_000, 0, 400_000, 0, 0), await store.ReadAsync(Group, Group, day, month, default));
        Assert.Equal(0, holds.Count);
        Assert.Contains(logs.Entries, e => e.EventId == 2851 && e.Message.StartsWith("Released 1 quota reservations", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 2852);

        // The stuck request, should it settle after all, finds its hold claimed and charges nothing.
        Assert.False(stuck.Hold.TryClaim());
    }

    private static async Task<(OpenHold Hold, QuotaDecision Decision)> OpenAsync(IQuotaStore store, QuotaHolds holds, string id, DateTimeOffset now)
    {
        var ask = new QuotaAsk
        {
            ReservationId = id + "-" + Guid.NewGuid().ToString("N"),
            NowMs = now.ToUnixTimeMilliseconds(),
            Group = Group,
            Scopes = [new QuotaScope(Group, new QuotaLimits(null, null, null, 10_000_000_000, null))],
            Tokens = 10,
            NanoUsd = 1_000_000,
            WindowMs = 60_000,
            HoldMs = 3_600_000,
            Day = now.ToString("yyyyMMdd", null),
            Month = now.ToString("yyyyMM", null),
        };
        var decision = await store.ReserveAsync(ask, default);
        Assert.True(decision.Admitted);
        return (holds.Open(store, ask), decision);
    }
}
