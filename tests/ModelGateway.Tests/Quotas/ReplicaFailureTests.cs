using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ModelGateway.Quotas;
using GatewayProcess = ModelGateway.Tests.Deploy.GatewayProcess;
using ModelGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace ModelGateway.Tests.Quotas;

/// <summary>
/// Two gateway processes (<c>dotnet ModelGateway.dll</c>) share a real three-primary Redis Cluster; one is killed
/// (SIGKILL) while both stream. The survivor's streams finish and settle; the dead one's reservations stay held
/// until the reservation timeout (longer than any stream here, as it must be), then the survivor's sweeper releases them with no further request, so nothing is
/// left held. The budget gauge names the budget it reports.
/// </summary>
public sealed class ReplicaFailureTests
{
    private const int StreamsPerReplica = 6;
    private const string Team = "load";

    [Fact]
    public async Task Killing_a_replica_mid_stream_leaves_no_hold_once_its_reservations_time_out()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => o.ChunkDelayMs = 300);
        await using var cluster = await RedisCluster.StartAsync();
        var config = await WriteConfigAsync(simulator, cluster);
        var replicas = new List<GatewayProcess>();
        try
        {
            var starting = Enumerable.Range(0, 2).Select(_ => GatewayProcess.StartAsync(AppContext.BaseDirectory, config)).ToList();
            replicas.AddRange(await Task.WhenAll(starting));
            var (survivor, victim) = (replicas[0], replicas[1]);

            // The gauge names which budget it reports (the team has a daily one).
            using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var gauge = "";
            for (var i = 0; i < 100 && gauge.Length == 0; i++)
            {
                var metrics = await plain.GetStringAsync(survivor.BaseUrl + "/metrics");
                gauge = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("modelgateway_quota_remaining_USD{", StringComparison.Ordinal)) ?? "";
                await Task.Delay(gauge.Length == 0 ? 100 : 0);
            }

            Assert.Contains("budget=\"usd_per_day\"", gauge, StringComparison.Ordinal);
            Assert.Contains("team=\"load\"", gauge, StringComparison.Ordinal);
            Assert.EndsWith(" 100", gauge, StringComparison.Ordinal);

            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestConfig.ClientKey);
            var survivorStreams = Enumerable.Range(0, StreamsPerReplica).Select(_ => StreamAsync(client, survivor)).ToList();
            var victimStreams = Enumerable.Range(0, StreamsPerReplica).Select(_ => StreamAsync(client, victim)).ToList();

            await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Endpoints);
            var store = new RedisQuotaStore(redis, "mg:", TimeSpan.FromSeconds(5), TimeProvider.System);
            Assert.Equal(2 * StreamsPerReplica, (await WaitForAsync(store, u => u.InFlight == 2 * StreamsPerReplica, TimeSpan.FromSeconds(20))).InFlight);

            // Mid-stream (each stream takes several seconds): the victim dies without settling anything.
            await victim.SignalAsync("KILL");
            Assert.True(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            var killed = Stopwatch.StartNew();

            var survived = await Task.WhenAll(survivorStreams);
            Assert.All(survived, Assert.True);
            var lost = await Task.WhenAll(victimStreams);
            Assert.All(lost, Assert.False);

            // The survivor settled its own; the victim's reservations still hold, as they must until they time out.
            var afterSurvivors = await WaitForAsync(store, u => u.InFlight == StreamsPerReplica, TimeSpan.FromSeconds(10));
            Assert.Equal(StreamsPerReplica, afterSurvivors.InFlight);
            Assert.True(afterSurvivors.HeldDayNano > 0);
            Assert.True(afterSurvivors.SpentDayNano > 0);

            // No request for the team from now on: the survivor's sweeper (every 3 s) releases them after the timeout (6 s).
            var released = await WaitForAsync(store, u => u.InFlight == 0 && u.HeldDayNano == 0, TimeSpan.FromSeconds(20));
            Assert.Equal(0, released.InFlight);
            Assert.Equal(0, released.HeldDayNano);
            Assert.Equal(0, released.HeldMonthNano);
            Assert.Equal(afterSurvivors.SpentDayNano, released.SpentDayNano);
            Assert.True(killed.Elapsed < TimeSpan.FromSeconds(6 + 3 + 4), $"released {killed.Elapsed} after the kill");
            // The sweeper's log (event 2200) counts them; the holds may expire either side of one sweep.
            for (var i = 0; i < 40 && SweptCount(survivor.Output) < StreamsPerReplica; i++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(StreamsPerReplica, SweptCount(survivor.Output));
        }
        finally
        {
            foreach (var replica in replicas)
            {
                await replica.DisposeAsync();
            }

            File.Delete(config);
        }
    }

    private static int SweptCount(string output) =>
        System.Text.RegularExpressions.Regex.Matches(output, @"Released (\d+) expired quota reservations")
            .Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Reads the whole stream; true when it ended with <c>[DONE]</c>, false when the connection broke.</summary>
    private static async Task<bool> StreamAsync(HttpClient client, GatewayProcess replica)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, replica.BaseUrl + "/v1/chat/completions")
            {
                Content = QuotaTestConfig.ChatBody(stream: true),
            };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            return body.Contains("data: [DONE]", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return false;
        }
    }

    private static async Task<ScopeUsage> WaitForAsync(RedisQuotaStore store, Func<ScopeUsage, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var now = DateTime.UtcNow;
            var usage = await store.ReadAsync(QuotaScope.ForTeam(Team), QuotaScope.ForTeam(Team), now.ToString("yyyyMMdd", null), now.ToString("yyyyMM", null), default);
            if (done(usage) || clock.Elapsed > timeout)
            {
                return usage;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<string> WriteConfigAsync(SimulatorHost simulator, RedisCluster cluster)
    {
        var section = QuotaTestConfig.Gateway(simulator)
            .WithQuotas(cluster.Endpoints, prefix: null, failureMode: "fail-closed", redisTimeout: "00:00:02")
            .WithTeam(Team, new JsonObject { ["UsdPerDay"] = 100m, ["ConcurrentRequests"] = 50 })
            .WithTestKey(team: Team);
        section["Quotas"]!["ReservationTimeout"] = "00:00:06";
        section["Providers"]!["sim"]!["ResponseTimeout"] = "00:00:30";
        section["Telemetry"] = new JsonObject { ["Prometheus"] = new JsonObject { ["Enabled"] = true } };
        var path = Path.Combine(Path.GetTempPath(), $"mg-replica-failure-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, new JsonObject
        {
            ["ModelGateway"] = section,
            ["Serilog"] = new JsonObject { ["MinimumLevel"] = new JsonObject { ["Override"] = new JsonObject { ["ModelGateway.Quotas.QuotaHoldSweeper"] = "Information" } } },
        }.ToJsonString());
        return path;
    }
}
