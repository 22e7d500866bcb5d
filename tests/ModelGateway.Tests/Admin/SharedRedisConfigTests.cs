using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ModelGateway.Configuration;
using ModelGateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ModelGateway.Tests.Admin;

/// <summary>Two gateway replicas sharing a real Redis as their configuration store.</summary>
public sealed class SharedRedisConfigTests(ITestOutputHelper output) : IAsyncLifetime
{
    private SimulatorHost _simA = null!;
    private SimulatorHost _simB = null!;
    private GatewayHost _replicaA = null!;
    private GatewayHost _replicaB = null!;
    private string _redis = null!;
    private string _prefix = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.SharedAddressAsync();
        _prefix = RedisServer.NewTaggedPrefix();
        _simA = await SimulatorHost.StartAsync(o => o.Name = "sim-a");
        _simB = await SimulatorHost.StartAsync(o => o.Name = "sim-b");
        var config = TestConfig.Gateway()
            .WithProvider("a", _simA.BaseUrl + "/v1")
            .WithProvider("b", _simB.BaseUrl + "/v1")
            .WithDeployment("qwen-a", "a", ["qwen3"], priority: 0)
            .WithDeployment("qwen-b", "b", ["qwen3"], priority: 1);

        // Quotas in the same Redis; the ledger in one PostgreSQL database, so spend reports see every replica's traffic.
        config["Quotas"] = new JsonObject { ["Redis"] = _redis, ["KeyPrefix"] = RedisServer.NewPrefix() };
        var ledgerVariable = "MG_TEST_LEDGER_PG_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(ledgerVariable, await PostgresServer.NewDatabaseAsync());

        // Polling is slowed to a minute, so only the pub/sub notification can make the change arrive in time.
        string[] args = [.. AdminFixture.AdminArgs(null), "--Admin:Store=redis", $"--Admin:Redis={_redis}", $"--Admin:KeyPrefix={_prefix}",
            "--Admin:PollInterval=00:01:00", "--ModelGateway:Ledger:Provider=postgres", $"--ModelGateway:Ledger:ConnectionString=env:{ledgerVariable}"];
        _replicaA = await GatewayHost.StartAsync(config, args);
        _replicaB = await GatewayHost.StartAsync(config, args);
    }

    public async Task DisposeAsync()
    {
        await _replicaA.DisposeAsync();
        await _replicaB.DisposeAsync();
        await _simA.DisposeAsync();
        await _simB.DisposeAsync();
    }

    [Fact]
    public async Task A_routing_change_through_replica_A_changes_where_replica_B_sends_the_next_request_within_one_second()
    {
        Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(_replicaB, "qwen3"));
        Assert.Single(_simA.State.Received);
        Assert.Empty(_simB.State.Received);

        using var adminA = AdminFixture.AdminClient(_replicaA);
        await AdminFixture.SendAsync(adminA, HttpMethod.Post, "/admin/v1/routes", new JsonObject
        {
            ["id"] = "move-to-b",
            ["match"] = new JsonObject { ["models"] = new JsonArray("qwen3") },
            ["deployments"] = new JsonArray("qwen-b"),
        }, HttpStatusCode.Created);
        var changed = Stopwatch.StartNew();

        // Replica B, which took no admin call, sends the next requests to simulator B.
        while (_simB.State.Received.Count == 0)
        {
            Assert.True(changed.Elapsed < TimeSpan.FromSeconds(1), $"Replica B still routes to A {changed.ElapsedMilliseconds} ms after the change.");
            Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(_replicaB, "qwen3"));
        }

        output.WriteLine($"Replica B sent to B {changed.ElapsedMilliseconds} ms after replica A answered the change.");
        var servedByA = _simA.State.Received.Count;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(_replicaB, "qwen3"));
        }

        Assert.Equal(servedByA, _simA.State.Received.Count);
        Assert.Equal(6, _simB.State.Received.Count);

        // Both replicas report the same version, and replica B's audit shows who made the change on A.
        using var adminB = AdminFixture.AdminClient(_replicaB);
        var audit = (await AdminFixture.GetAsync(adminB, "/admin/v1/audit?limit=1"))["data"]![0]!;
        Assert.Equal("create routes/move-to-b", audit["action"]!.GetValue<string>());
        Assert.Equal(2, (await AdminFixture.GetAsync(adminB, "/admin/v1/config"))["version"]!.GetValue<long>());
        Assert.Contains(_replicaB.Service<IGatewayConfigStore>().Current.Config.Routing.Rules, r => r.Id == "move-to-b");
    }

    [Fact]
    public async Task Conflicting_writes_through_both_replicas_keep_one_history()
    {
        using var adminA = AdminFixture.AdminClient(_replicaA);
        using var adminB = AdminFixture.AdminClient(_replicaB);
        var writes = await Task.WhenAll(Enumerable.Range(1, 20).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? adminA : adminB).PatchAsync("/admin/v1/deployments/qwen-b",
                AdminFixture.Json(new JsonObject { ["contextWindow"] = 1000 + i }));
            return response.StatusCode;
        }));
        Assert.All(writes, status => Assert.Equal(HttpStatusCode.OK, status));

        var audit = (await AdminFixture.GetAsync(adminA, "/admin/v1/audit?limit=100"))["data"]!.AsArray();
        Assert.Equal(Enumerable.Range(1, 21).Reverse().Select(v => (long)v), audit.Select(e => e!["version"]!.GetValue<long>()));
        var stored = (await AdminFixture.GetAsync(adminA, "/admin/v1/config"))["document"]!["deployments"]!["qwen-b"]!["contextWindow"]!.GetValue<int>();
        Assert.Equal(stored, audit[0]!["changes"]![0]!["after"]!.GetValue<int>());

        // Replica B converges on the same document.
        await ModelGateway.Tests.Simulator.Eventually.TrueAsync(
            () => _replicaB.Service<IGatewayConfigStore>().Current.Config.Deployments["qwen-b"].ContextWindow == stored, 2000);
    }

    [Fact]
    public async Task A_spend_report_through_one_replica_covers_the_traffic_of_both()
    {
        Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(_replicaA, "qwen3"));
        Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(_replicaB, "qwen3"));
        Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(_replicaB, "qwen3"));
        foreach (var replica in new[] { _replicaA, _replicaB })
        {
            await replica.Service<ModelGateway.Accounting.IUsageLedger>().FlushAsync(TimeSpan.FromSeconds(10));
        }

        using var admin = AdminFixture.AdminClient(_replicaA);
        var deadline = Stopwatch.StartNew();
        JsonObject report;
        while ((report = await AdminFixture.GetAsync(admin, "/admin/v1/spend?groupBy=key,provider"))["total"]!["requests"]!.GetValue<long>() < 3)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(5), report.ToJsonString());
            await Task.Delay(20);
        }

        Assert.Equal(3, report["total"]!["requests"]!.GetValue<long>());
        var row = Assert.Single(report["data"]!.AsArray())!;
        Assert.Equal(TestConfig.ClientKeyId, row["key"]!.GetValue<string>());
        Assert.Equal("a", row["provider"]!.GetValue<string>());
        Assert.True(row["costUsd"]!.GetValue<decimal>() > 0);
    }
}

/// <summary>The configuration store unreachable at start-up.</summary>
public sealed class UnreachableStoreTests
{
    [Fact]
    public async Task With_redis_down_the_gateway_serves_its_file_and_admin_calls_answer_503()
    {
        Environment.SetEnvironmentVariable(AdminFixture.ProviderKeyVariable, "sk-admin-sim");
        await using var simulator = await SimulatorHost.StartAsync();
        var started = Stopwatch.StartNew();
        await using var gateway = await GatewayHost.StartAsync(AdminFixture.BaseConfig(simulator.BaseUrl),
            [.. AdminFixture.AdminArgs(null), "--Admin:Store=redis", "--Admin:Redis=127.0.0.1:1,connectTimeout=200"]);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"Start-up took {started.Elapsed}.");

        Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(gateway, "qwen3"));
        using var admin = AdminFixture.AdminClient(gateway);
        var problem = await AdminFixture.GetAsync(admin, "/admin/v1/providers", HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Configuration store unavailable", problem["title"]!.GetValue<string>());
        await AdminFixture.SendAsync(admin, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["region"] = "eu" }, HttpStatusCode.ServiceUnavailable);
    }
}
