using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelGateway.FrontDoor;
using ModelGateway.Quotas;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// Three published gateway processes sharing one Redis behind a real nginx (the Debian package, on loopback ports):
/// a key's RPM limit is exact across the replicas; an admin change made through one reaches all within a second;
/// killing one mid-load loses only its requests in flight, which the official OpenAI SDK's retries serve through the
/// others, and leaves no quota hold once its reservations expire.
/// </summary>
public sealed class ReplicasBehindNginxTests(ITestOutputHelper output)
{
    private const string AdminKey = "mg-admin-demo-key";
    private const int RequestsPerMinute = 10;

    // Killing a replica: each worker keeps one request going, and each takes 800 ms upstream, so about three are in
    // flight on every replica at any moment.
    private const int Workers = 9;
    private const int UpstreamLatencyMs = 800;
    private const int ServedAfterKill = 30;

    [Fact]
    public async Task Rpm_limit_holds_exactly_across_replicas_and_an_admin_change_reaches_every_replica_within_a_second()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        var quotas = new JsonObject
        {
            ["Redis"] = await RedisServer.SharedAddressAsync(),
            ["KeyPrefix"] = RedisServer.NewPrefix(),
            ["FailureMode"] = "fail-closed",
            // A window longer than the test, however slow the machine: the count must not restart halfway.
            ["Window"] = "00:10:00",
        };
        await using var set = await ReplicaSet.StartAsync(simulator, quotas, new JsonObject { ["RequestsPerMinute"] = RequestsPerMinute }, prometheus: false,
            ("Admin__Keys__ops__Sha256", ClientAuthenticationMiddleware.HashKey(AdminKey)),
            ("Admin__Store", "redis"),
            ("Admin__KeyPrefix", RedisServer.NewTaggedPrefix()));
        using var http = new HttpClient { BaseAddress = new Uri(set.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };

        // The key's RPM limit, counted in Redis, holds exactly while nginx spreads the requests over the replicas.
        var statuses = new List<HttpStatusCode>();
        var servedBy = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < RequestsPerMinute + 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("""{"model":"m","messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", TestConfig.ClientKey);
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
            servedBy.Add(response.Headers.GetValues("x-upstream").Single());
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, RequestsPerMinute).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 5)), statuses);
        Assert.Equal(set.Replicas.Select(Address).Order(), servedBy.Order());

        // The load balancer keeps the admin API off its port; an alias added through one replica is listed by every replica within a second.
        using var hidden = await http.GetAsync("/admin/v1/aliases");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var admin = new HttpClient { BaseAddress = new Uri(set.Replicas[0].BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        using var add = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/aliases")
        {
            Content = new StringContent("""{"id":"fast","target":"m"}""", Encoding.UTF8, "application/json"),
        };
        add.Headers.Authorization = new("Bearer", AdminKey);
        using var added = await admin.SendAsync(add);
        var changed = Stopwatch.StartNew();
        Assert.True(added.IsSuccessStatusCode, $"{(int)added.StatusCode} {await added.Content.ReadAsStringAsync()}");
        var seen = await Task.WhenAll(set.Replicas.Select(r => WaitForModelAsync(r, "fast", TimeSpan.FromSeconds(5))));
        Assert.All(seen, elapsed => Assert.True(elapsed is not null && changed.Elapsed <= TimeSpan.FromSeconds(5)));
        Assert.True(seen.Max() <= TimeSpan.FromSeconds(1), $"the slowest replica saw the change after {seen.Max()}");
    }

    [Fact]
    public async Task Killing_a_replica_mid_load_loses_only_its_requests_in_flight_which_the_sdk_retries_and_leaves_no_hold()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = UpstreamLatencyMs, Count = 1_000_000 });
        var redisAddress = await RedisServer.SharedAddressAsync();
        var prefix = RedisServer.NewPrefix();
        var quotas = new JsonObject
        {
            ["Redis"] = redisAddress,
            ["KeyPrefix"] = prefix,
            ["FailureMode"] = "fail-closed",
            // Three gateways, nginx, the SDK and Redis share a loaded box: a slow Redis answer must not be a 503 here.
            ["RedisTimeout"] = "00:00:02",
            // Short, so the dead replica's holds expire within the test; longer than the load after the kill, so the
            // survivors' sweeper (every 10 s), not a later reservation, is what releases them.
            ["ReservationTimeout"] = "00:00:20",
        };
        var limits = new JsonObject { ["ConcurrentRequests"] = 100, ["UsdPerDay"] = 1000m };
        await using var set = await ReplicaSet.StartAsync(simulator, quotas, limits, prometheus: true);
        var victim = set.Replicas[2];
        var survivors = set.Replicas.Take(2).ToList();

        // The official SDK with its default retry policy (502, 503, connection errors...); every try is recorded.
        var tries = new TryRecorder();
        var options = new OpenAIClientOptions { Endpoint = new Uri(set.BaseUrl + "/v1"), NetworkTimeout = TimeSpan.FromSeconds(60) };
        options.AddPolicy(tries, PipelinePosition.PerTry);
        var chat = new OpenAIClient(new ApiKeyCredential(TestConfig.ClientKey), options).GetChatClient("m");

        var clock = Stopwatch.StartNew();
        var killedAt = TimeSpan.MaxValue;
        var sent = 0;
        var served = new ConcurrentQueue<(string Upstream, TimeSpan At)>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            var failures = new List<Exception>();
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref sent);
                try
                {
                    // Not cancelled by the stop: every request sent runs to its end.
                    var result = await chat.CompleteChatAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { MaxOutputTokenCount = 8 });
                    Assert.True(result.GetRawResponse().Headers.TryGetValue("x-upstream", out var upstream));
                    served.Enqueue((upstream!, clock.Elapsed));
                }
                catch (Exception ex)
                {
                    failures.Add(ex);
                }
            }

            return failures;
        })).ToList();

        try
        {
            // Under load on every replica, and several requests in flight on the victim: then SIGKILL, no drain.
            await Until(() => set.Replicas.All(r => served.Count(s => LastAddress(s.Upstream) == Address(r)) >= 3), TimeSpan.FromSeconds(120), "every replica serving");
            await Until(async () => await ActivePostsAsync(victim) >= 2, TimeSpan.FromSeconds(60), "requests in flight on the victim");
            await victim.SignalAsync("KILL");
            killedAt = clock.Elapsed;
            Assert.True(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10)));

            // The load goes on through the survivors.
            await Until(() => served.Count(s => s.At > killedAt) >= ServedAfterKill, TimeSpan.FromSeconds(120), "requests served after the kill");
        }
        finally
        {
            await stop.CancelAsync();
        }

        var failures = (await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(180))).SelectMany(f => f).ToList();

        // Every request the test sent succeeded through the SDK.
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(sent, served.Count);
        // What failed were only tries in flight on the victim (at most one per worker), each a 502 from nginx that the SDK retried.
        var failed = tries.Failed;
        Assert.True(failed.Count is >= 1 and <= Workers, $"{failed.Count} failed tries: {string.Join(", ", failed)}");
        Assert.True(failed.All(t => t.Status == 502), string.Join("\n", failed));
        Assert.Equal(sent + failed.Count, tries.Count);
        // After the kill only the survivors answered (nginx may first have tried the victim and been refused).
        Assert.DoesNotContain(served, s => s.At > killedAt + TimeSpan.FromSeconds(1) && LastAddress(s.Upstream) == Address(victim));

        // The victim's reservations stay held until they expire, then the survivors' sweeper releases them: nothing is left.
        await using var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
        var store = new RedisQuotaStore(redis, prefix, TimeSpan.FromSeconds(5), TimeProvider.System);
        var scope = QuotaScope.ForKey(TestConfig.ClientKeyId);
        var usage = default(ScopeUsage);
        await Until(async () => (usage = await ReadAsync(store, scope)) is { InFlight: 0, HeldDayNano: 0, HeldMonthNano: 0 }, TimeSpan.FromSeconds(120),
            "the victim's holds released");
        var releasedAfter = clock.Elapsed - killedAt;
        Assert.Equal(0, await redis.GetDatabase().SortedSetLengthAsync(new RedisQuotaKeys(prefix, scope).Holds));
        Assert.True(usage.SpentDayNano > 0);
        await Until(() => survivors.Sum(r => SweptCount(r.Output)) >= 1, TimeSpan.FromSeconds(10), "the sweeper's log");
        Assert.InRange(survivors.Sum(r => SweptCount(r.Output)), 1, failed.Count);
        output.WriteLine($"sent {sent}, served {served.Count} ({served.Count(s => s.At > killedAt)} after the kill), " +
            $"tries {tries.Count}, failed {failed.Count} (502), swept {survivors.Sum(r => SweptCount(r.Output))}, holds released {releasedAfter} after the kill");
    }

    private static string Address(GatewayProcess replica) => $"127.0.0.1:{replica.Port}";

    /// <summary><c>$upstream_addr</c> lists every replica nginx tried, the one that answered last.</summary>
    private static string LastAddress(string upstream) => upstream.Split(',')[^1].Trim();

    private static int SweptCount(string output) =>
        Regex.Matches(output, @"Released (\d+) expired quota reservations").Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    /// <summary>POST requests in progress on one replica, from its own <c>/metrics</c> (ASP.NET Core's <c>http.server.active_requests</c>).</summary>
    private static async Task<double> ActivePostsAsync(GatewayProcess replica)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metrics = await client.GetStringAsync(replica.BaseUrl + "/metrics");
        return metrics.Split('\n')
            .Where(l => l.StartsWith("http_server_active_requests{", StringComparison.Ordinal) && l.Contains("http_request_method=\"POST\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static Task<ScopeUsage> ReadAsync(RedisQuotaStore store, string scope)
    {
        var now = DateTime.UtcNow;
        return store.ReadAsync(scope, scope, now.ToString("yyyyMMdd", CultureInfo.InvariantCulture), now.ToString("yyyyMM", CultureInfo.InvariantCulture), default).AsTask();
    }

    private static Task Until(Func<bool> condition, TimeSpan timeout, string what) => Until(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test, naming <paramref name="what"/>, at the deadline.</summary>
    private static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, $"timed out after {timeout} waiting for {what}");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls one replica directly (not through nginx) until <c>/v1/models</c> lists the model; returns how long it took.</summary>
    private static async Task<TimeSpan?> WaitForModelAsync(GatewayProcess replica, string model, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = new Uri(replica.BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestConfig.ClientKey);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            using var document = JsonDocument.Parse(await client.GetStringAsync("/v1/models"));
            if (document.RootElement.GetProperty("data").EnumerateArray().Any(m => m.GetProperty("id").GetString() == model))
            {
                return clock.Elapsed;
            }

            await Task.Delay(25);
        }

        return null;
    }

    /// <summary>Records every try the SDK's pipeline makes (it sits after the retry policy): the status, or the exception.</summary>
    private sealed class TryRecorder : PipelinePolicy
    {
        private readonly ConcurrentQueue<(int? Status, string? Error)> _tries = new();

        public int Count => _tries.Count;

        public IReadOnlyList<(int? Status, string? Error)> Failed => [.. _tries.Where(t => t.Status != 200)];

        private static string Describe(PipelineResponse response)
        {
            response.Headers.TryGetValue("x-upstream", out var upstream);
            response.BufferContent();
            return $"from {upstream}: {response.Content}";
        }

        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            try
            {
                ProcessNext(message, pipeline, currentIndex);
                _tries.Enqueue((message.Response?.Status, message.Response is { Status: not 200 } failed ? Describe(failed) : null));
            }
            catch (Exception ex)
            {
                _tries.Enqueue((null, ex.GetType().Name + ": " + ex.Message));
                throw;
            }
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            try
            {
                await ProcessNextAsync(message, pipeline, currentIndex);
                _tries.Enqueue((message.Response?.Status, message.Response is { Status: not 200 } failed ? Describe(failed) : null));
            }
            catch (Exception ex)
            {
                _tries.Enqueue((null, ex.GetType().Name + ": " + ex.Message));
                throw;
            }
        }
    }
}
