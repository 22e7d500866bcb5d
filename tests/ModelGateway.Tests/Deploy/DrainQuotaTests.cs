using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Quotas;
using StackExchange.Redis;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// Graceful drain and quota holds, with the published gateway as a real process, a real SIGTERM and a real Redis: a
/// stream the drain timeout cuts is settled (its reservation released, its estimate charged) before the process
/// exits, so no hold waits for <c>Quotas:ReservationTimeout</c>; a stream that finishes within the drain is billed once.
/// To make the exit wait observable, Redis refuses scripts for a moment around the cut (as during a failover): the cut
/// stream's settlement fails once and is retried by the compensator, which a process that simply exits would never do.
/// </summary>
public sealed class DrainQuotaTests
{
    private const string CutKey = "mg-drain-cut-key";
    private const string CutKeyId = "cut";

    // One token costs $0.001 (QuotaTestConfig's price): 1,000,000 nano-USD.
    private const long NanoPerToken = 1_000_000;

    [Fact]
    public async Task A_stream_cut_at_the_drain_timeout_leaves_no_hold_and_a_stream_that_finishes_is_billed_once()
    {
        var directory = await PublishedBuild.GatewayAsync();
        // 250 ms a word: the long stream (200 words) runs about 50 s, far past the drain; the short one (4 words) about 1 s.
        await using var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.DefaultChunks = 200;
            o.ChunkDelayMs = 250;
        });
        // Its own redis-server: the test changes the default user's permissions.
        await using var server = await RedisServer.StartAsync();
        var prefix = RedisServer.NewPrefix();
        var config = await WriteConfigAsync(simulator, server.Address, prefix);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Address);
        var store = new RedisQuotaStore(redis, prefix, TimeSpan.FromSeconds(5), TimeProvider.System);
        try
        {
            // A reservation timeout of an hour: only the gateway itself can release the cut stream's hold within this test.
            await using var gateway = await GatewayProcess.StartAsync(directory, config,
                ("ModelGateway__Shutdown__GracePeriod", "00:00:00"), ("ModelGateway__Shutdown__DrainTimeout", "00:00:05"));
            using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(120) };

            using var cutResponse = await SendStreamAsync(http, CutKey, maxTokens: 200, includeUsage: false);
            using var cutReader = new StreamReader(await cutResponse.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: {", await cutReader.ReadLineAsync(), StringComparison.Ordinal);
            var cutHeld = await WaitForAsync(store, CutKeyId, u => u.InFlight == 1, TimeSpan.FromSeconds(10));
            Assert.Equal(1, cutHeld.InFlight);
            Assert.True(cutHeld.HeldDayNano > 0, "the cut stream's key holds nothing: the quota path did not reserve");

            using var finishedResponse = await SendStreamAsync(http, TestConfig.ClientKey, maxTokens: 4, includeUsage: true);
            using var finishedReader = new StreamReader(await finishedResponse.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: {", await finishedReader.ReadLineAsync(), StringComparison.Ordinal);

            await gateway.SignalAsync("TERM");
            var signalled = Stopwatch.StartNew();

            // The short stream finishes within the drain; its usage chunk says what it used.
            var finishedText = await finishedReader.ReadToEndAsync();
            Assert.EndsWith("data: [DONE]", finishedText.TrimEnd(), StringComparison.Ordinal);
            var usage = UsageOf(finishedText);
            var settled = await WaitForAsync(store, TestConfig.ClientKeyId, u => u.InFlight == 0, TimeSpan.FromSeconds(10));
            Assert.Equal(0, settled.InFlight);

            // Redis refuses the gateway's scripts from now until a second after the cut.
            await redis.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "-eval", "-evalsha");
            try
            {
                // The long stream is cut at the drain timeout.
                Assert.DoesNotContain("data: [DONE]", await ReadRestAsync(cutReader), StringComparison.Ordinal);
                Assert.True(signalled.Elapsed >= TimeSpan.FromSeconds(4), $"the stream broke {signalled.Elapsed} after SIGTERM, before the drain timeout");
                await Task.Delay(TimeSpan.FromSeconds(1));
                Assert.False(gateway.HasExited, "the gateway exited a second after the cut, with its settlement still to retry:\n" + gateway.Output);
            }
            finally
            {
                await redis.GetDatabase().ExecuteAsync("ACL", "SETUSER", "default", "+@all");
            }

            Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the gateway did not exit after the drain");
            Assert.Equal(0, gateway.ExitCode);

            // Nothing of the cut stream is held any longer: no request in flight, no USD held, no reservation listed.
            var cut = await ReadAsync(store, CutKeyId);
            Assert.True(cut is { InFlight: 0, HeldDayNano: 0, HeldMonthNano: 0 }, $"the cut stream's hold is left behind: {cut}\n{gateway.Output}");
            Assert.Equal(0, await redis.GetDatabase().SortedSetLengthAsync(new RedisQuotaKeys(prefix, QuotaScope.ForKey(CutKeyId)).Holds));
            // Settled, not merely released: the prompt and what was streamed are charged, less than the 200-word reservation.
            Assert.InRange(cut.SpentDayNano, NanoPerToken, cutHeld.HeldDayNano - NanoPerToken);
            Assert.Equal(cut.SpentDayNano, cut.SpentMonthNano);
            Assert.Contains("The drain timeout cut 1 requests holding quota; all their reservations were settled", gateway.Output, StringComparison.Ordinal);

            // The finished stream is billed exactly once, for what it used.
            var finished = await ReadAsync(store, TestConfig.ClientKeyId);
            Assert.True(finished is { InFlight: 0, HeldDayNano: 0, HeldMonthNano: 0 }, finished.ToString());
            Assert.Equal(usage * NanoPerToken, finished.SpentDayNano);
            Assert.Equal(usage * NanoPerToken, finished.SpentMonthNano);
            Assert.Equal(0, await redis.GetDatabase().SortedSetLengthAsync(new RedisQuotaKeys(prefix, QuotaScope.ForKey(TestConfig.ClientKeyId)).Holds));
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static async Task<HttpResponseMessage> SendStreamAsync(HttpClient http, string key, int maxTokens, bool includeUsage)
    {
        var usage = includeUsage ? ""","stream_options":{"include_usage":true}""" : "";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"{{QuotaTestConfig.Model}}","stream":true{{usage}},"max_completion_tokens":{{maxTokens}},"messages":[{"role":"user","content":"Hi"}]}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    /// <summary>The total tokens of the stream's usage chunk.</summary>
    private static long UsageOf(string stream)
    {
        foreach (var line in stream.Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                using var chunk = JsonDocument.Parse(line["data: ".Length..]);
                if (chunk.RootElement.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                {
                    return usage.GetProperty("total_tokens").GetInt64();
                }
            }
        }

        throw new InvalidOperationException("the stream had no usage chunk:\n" + stream);
    }

    private static Task<ScopeUsage> ReadAsync(RedisQuotaStore store, string keyId)
    {
        var now = DateTime.UtcNow;
        var scope = QuotaScope.ForKey(keyId);
        return store.ReadAsync(scope, scope, now.ToString("yyyyMMdd", CultureInfo.InvariantCulture), now.ToString("yyyyMM", CultureInfo.InvariantCulture), default).AsTask();
    }

    private static async Task<ScopeUsage> WaitForAsync(RedisQuotaStore store, string keyId, Func<ScopeUsage, bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var usage = await ReadAsync(store, keyId);
            if (done(usage) || clock.Elapsed > timeout)
            {
                return usage;
            }

            await Task.Delay(50);
        }
    }

    private static async Task<string> ReadRestAsync(StreamReader reader)
    {
        try
        {
            return await reader.ReadToEndAsync();
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return "";
        }
    }

    private static async Task<string> WriteConfigAsync(SimulatorHost simulator, string redis, string prefix)
    {
        var limits = new JsonObject { ["ConcurrentRequests"] = 10, ["UsdPerDay"] = 100m };
        var section = QuotaTestConfig.Gateway(simulator)
            .WithQuotas(redis, prefix, failureMode: "fail-closed", redisTimeout: "00:00:02")
            .WithTestKey(limits: limits.DeepClone().AsObject())
            .WithKey(CutKeyId, CutKey, new JsonObject { ["Limits"] = limits });
        section["Quotas"]!["ReservationTimeout"] = "01:00:00";
        section["Providers"]!["sim"]!["ResponseTimeout"] = "00:02:00";
        var path = Path.Combine(Path.GetTempPath(), $"mg-drain-quota-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, new JsonObject { ["ModelGateway"] = section }.ToJsonString());
        return path;
    }
}
