using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Accounting;
using ModelGateway.Quotas;
using Microsoft.Extensions.Logging;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Quotas;

/// <summary>Two real gateways in front of one simulator, sharing one real Redis: limits hold across replicas.</summary>
public sealed class SharedRedisQuotaTests : IAsyncLifetime
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
    public async Task Two_gateways_sharing_redis_let_exactly_60_of_100_requests_through_a_60_rpm_limit()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis, RedisServer.NewPrefix())
            .WithTeam("research", new JsonObject { ["RequestsPerMinute"] = 60 })
            .WithTestKey(team: "research");
        var logs = new LogCapture();
        await using var first = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs));
        await using var second = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs));
        using var clientA = first.HttpClient();
        using var clientB = second.HttpClient();

        var statuses = new List<HttpStatusCode>();
        var gate = new SemaphoreSlim(10);
        var tasks = Enumerable.Range(0, 100).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await (i % 2 == 0 ? clientA : clientB).PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.True(response.Headers.Contains("retry-after"));
                    var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
                    Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
                    Assert.Equal("0", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
                }

                lock (statuses)
                {
                    statuses.Add(response.StatusCode);
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);

        Assert.DoesNotContain(logs.Entries, e => e.EventId == 1400);
        Assert.Equal(60, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(40, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(60, _simulator.State.Received.Count);
    }

    [Fact]
    public async Task A_one_dollar_daily_budget_holds_under_200_concurrent_requests_and_matches_the_ledger()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis, RedisServer.NewPrefix())
            .WithTeam("finance", new JsonObject { ["UsdPerDay"] = 1.00m })
            .WithTestKey(team: "finance");

        // Replicas share one ledger of record: PostgreSQL (budgets stay in Redis).
        var ledgerVariable = "MG_TEST_LEDGER_PG_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(ledgerVariable, await PostgresServer.NewDatabaseAsync());
        string[] ledgerArgs = ["--ModelGateway:Ledger:Provider=postgres", $"--ModelGateway:Ledger:ConnectionString=env:{ledgerVariable}"];
        await using var first = await GatewayHost.StartAsync(config, ledgerArgs);
        await using var second = await GatewayHost.StartAsync(config, ledgerArgs);
        using var clientA = first.HttpClient();
        using var clientB = second.HttpClient();

        // The same request every time: its real cost is known once one has been served.
        var codes = new List<string>();
        var ok = 0;
        async Task SendAsync(HttpClient client)
        {
            using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
            if (response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref ok);
                return;
            }

            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            var code = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString()!;
            lock (codes)
            {
                codes.Add(code);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => SendAsync(i % 2 == 0 ? clientA : clientB)));

        // Then spend what is left, one at a time, until the budget says no for good.
        for (var i = 0; i < 200 && !codes.Contains("insufficient_quota"); i++)
        {
            await SendAsync(i % 2 == 0 ? clientA : clientB);
        }

        Assert.Contains("insufficient_quota", codes);
        await first.Service<IUsageLedger>().FlushAsync(TimeSpan.FromSeconds(10));
        await second.Service<IUsageLedger>().FlushAsync(TimeSpan.FromSeconds(10));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var ledger = await first.Service<IUsageLedger>().ReadAsync(today.AddDays(-1), today, default);
        Assert.Equal(ok, ledger.Count);

        var perRequest = ledger.Max(r => r.CostUsd);
        var maxCost = perRequest * 10; // generous bound on one request's reserved maximum (estimated prompt plus 8 output tokens)
        var usage = await first.Service<QuotaStores>().Primary.ReadAsync(
            "team:finance", "team:finance", today.ToString("yyyyMMdd", null), today.ToString("yyyyMM", null), default);
        var settled = usage.SpentDayNano / 1_000_000_000m;
        Assert.True(settled <= 1.00m + maxCost, $"settled {settled}");
        Assert.True(settled > 1.00m - maxCost, $"settled {settled}: the budget should be nearly used");
        Assert.Equal(Math.Round(ledger.Sum(r => r.CostUsd), 2), Math.Round(settled, 2));
        Assert.Equal(QuotaService.ToNano(ledger.Sum(r => r.CostUsd)), usage.SpentDayNano);
        Assert.Equal(0, usage.HeldDayNano);
        Assert.Equal(0, usage.InFlight);
    }
}
