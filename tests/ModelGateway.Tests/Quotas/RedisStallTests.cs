using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace ModelGateway.Tests.Quotas;

/// <summary>
/// Redis stalls (SIGSTOP: what the gateway sends waits in the socket and runs when Redis continues, as with an
/// overloaded or swapped-out server) or dies while requests are in flight. Reservations the gateway gave up on are withdrawn once Redis answers, so no
/// phantom hold blocks later requests; the outage is logged once when it starts and once when it ends.
/// </summary>
public sealed class RedisStallTests : IAsyncLifetime
{
    private const string Team = "ops";
    private const string InformationLogs = "--Serilog:MinimumLevel:Default=Information";
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

    [Theory]
    [InlineData("fail-open", HttpStatusCode.OK)]
    [InlineData("fail-closed", HttpStatusCode.ServiceUnavailable)]
    public async Task Reservations_that_timed_out_while_redis_stalled_are_withdrawn_when_it_answers_again(string mode, HttpStatusCode whileStalled)
    {
        var logs = new LogCapture();
        await using var gateway = await GatewayHost.StartAsync(Config(mode), b => b.Logging.AddProvider(logs), InformationLogs);
        using var degraded = new CounterProbe(gateway, QuotaMetrics.MeterName, "modelgateway.quota.degraded_requests");
        using var client = gateway.HttpClient();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client));

        // Redis stalls for 8 s; each reservation gives up after 1 s, but Redis runs it when it continues.
        const int Stalled = 4;
        _redis.Freeze();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Stalled; i++)
        {
            Assert.Equal(whileStalled, await SendAsync(client));
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the stalled requests took {clock.Elapsed}; the stall must outlast them");
        await Task.Delay(TimeSpan.FromSeconds(8) - clock.Elapsed);
        _redis.Thaw();

        // Redis runs what waited in its sockets as soon as it continues; the withdrawals follow within a retry or two.
        var compensator = gateway.Service<QuotaCompensator>();
        var thawed = Stopwatch.StartNew();
        while (thawed.Elapsed < TimeSpan.FromSeconds(1) || (compensator.Pending > 0 && thawed.Elapsed < TimeSpan.FromSeconds(15)))
        {
            await Task.Delay(50);
        }

        // Once Redis runs the queued reservations, their holds must go again: 4 phantom holds would fill the team's
        // 3 concurrent slots (and hold budget) for ReservationTimeout.
        var usage = await WaitForAsync(u => u.InFlight == 0 && u.HeldDayNano == 0, gateway);
        Assert.Equal(0, usage.InFlight);
        Assert.Equal(0, usage.HeldDayNano);

        // A fresh request within budget is served, through Redis.
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client));
        var after = await WaitForAsync(u => u.SpentDayNano > usage.SpentDayNano && u.InFlight == 0, gateway);
        Assert.True(after.SpentDayNano > usage.SpentDayNano, $"{usage} then {after}");
        Assert.Equal(0, after.HeldDayNano);

        Assert.Equal(Stalled, degraded.Total);
        Assert.Single(logs.Entries, e => e.EventId == 1400);
        var recovered = Assert.Single(logs.Entries, e => e.EventId == 1401);
        Assert.Contains($"{Stalled} requests", recovered.Message, StringComparison.Ordinal);
        Assert.Contains(mode, logs.Entries.Single(e => e.EventId == 1400).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_outage_of_n_requests_logs_one_degraded_and_one_recovered_line_and_counts_n()
    {
        var logs = new LogCapture();
        var config = Config("fail-open");
        config["Telemetry"] = new JsonObject { ["Prometheus"] = new JsonObject { ["Enabled"] = true } };
        await using var gateway = await GatewayHost.StartAsync(config, b => b.Logging.AddProvider(logs), InformationLogs);
        using var degraded = new CounterProbe(gateway, QuotaMetrics.MeterName, "modelgateway.quota.degraded_requests");
        using var client = gateway.HttpClient();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(client));

        _redis.Kill();
        const int Requests = 40;
        for (var i = 0; i < Requests; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await SendAsync(client));
        }

        Assert.Equal(Requests, degraded.Total);
        Assert.Single(logs.Entries, e => e.EventId == 1400);
        Assert.DoesNotContain(logs.Entries, e => e.EventId == 1401);

        await _redis.RestartAsync();
        var redis = gateway.Service<QuotaStores>().Redis!;
        var deadline = Stopwatch.StartNew();
        while (!redis.GetDatabase().IsConnected(default))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(15), "the gateway did not reconnect to Redis");
            await Task.Delay(50);
        }

        Assert.Equal(HttpStatusCode.OK, await SendAsync(client));
        Assert.Equal(Requests, degraded.Total);
        Assert.Single(logs.Entries, e => e.EventId == 1400);
        var recovered = Assert.Single(logs.Entries, e => e.EventId == 1401);
        Assert.Contains($"{Requests} requests", recovered.Message, StringComparison.Ordinal);
        Assert.True(logs.Entries.Count(e => e.EventId == 1404) <= 1, "the ledger logs its write failures once per outage");

        // The counter is exported. Other gateways in this test process feed the same meter name, hence at least.
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var scrape = await http.GetStringAsync("/metrics");
        var series = scrape.Split('\n').Single(l => l.StartsWith("modelgateway_quota_degraded_requests_total{", StringComparison.Ordinal) && l.Contains("mode=\"fail-open\"", StringComparison.Ordinal));
        Assert.True(double.Parse(series[(series.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture) >= Requests, series);
    }

    private JsonObject Config(string mode) =>
        QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis.Address, _prefix, failureMode: mode, redisTimeout: "00:00:01")
            .WithTeam(Team, new JsonObject { ["ConcurrentRequests"] = 3, ["UsdPerDay"] = 10m })
            .WithTestKey(team: Team);

    private static async Task<HttpStatusCode> SendAsync(HttpClient client)
    {
        using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
        return response.StatusCode;
    }

    /// <summary>Polls the team's usage in Redis until <paramref name="done"/> holds (or 15 s pass), and returns the last reading.</summary>
    private static async Task<ScopeUsage> WaitForAsync(Func<ScopeUsage, bool> done, GatewayHost gateway)
    {
        var store = gateway.Service<QuotaStores>().Primary;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var now = DateTime.UtcNow;
            ScopeUsage usage;
            try
            {
                usage = await store.ReadAsync(QuotaScope.ForTeam(Team), QuotaScope.ForTeam(Team), now.ToString("yyyyMMdd", null), now.ToString("yyyyMM", null), default);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                usage = new ScopeUsage(-1, -1, -1, -1, -1);
            }

            if (done(usage) || deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                return usage;
            }

            await Task.Delay(100);
        }
    }
}
