using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Admin;
using ModelGateway.Configuration;
using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;
using StackExchange.Redis;

namespace ModelGateway.Tests.Admin;

/// <summary>
/// The Redis password of <c>quotas.redis</c> (issue 12, finding 5): never in an admin response, an audit entry or a
/// stored version (file or Redis store), and an exported document imports back without losing it.
/// </summary>
public sealed class SecretRedactionTests : IAsyncLifetime
{
    private const string Password = "Redis-pw-7f3a9c51";
    private RedisServer _redis = null!;
    private SimulatorHost _simulator = null!;
    private string _store = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(AdminFixture.ProviderKeyVariable, "sk-admin-sim");
        _redis = await RedisServer.StartAsync();
        await _redis.RequirePasswordAsync(Password);
        _simulator = await SimulatorHost.StartAsync(o => o.Name = "sim");
        _store = Directory.CreateTempSubdirectory("mg-admin-store-").FullName;
    }

    public async Task DisposeAsync()
    {
        await _simulator.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_store, recursive: true);
    }

    [Fact]
    public async Task The_redis_password_is_never_shown_or_stored_and_an_import_keeps_it()
    {
        var config = Config();
        var gateway = await AdminFixture.StartGatewayAsync(config, _store, "--Admin:Store=file");
        try
        {
            await WaitConnectedAsync(gateway);
            using var admin = AdminFixture.AdminClient(gateway);
            await AdminFixture.SendAsync(admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim",
                new JsonObject { ["priority"] = 3 }, HttpStatusCode.OK);

            var exported = await AdminFixture.GetAsync(admin, "/admin/v1/config");
            Assert.Equal($"{_redis.Address},password=***", exported["document"]!["quotas"]!["redis"]!.GetValue<string>());
            foreach (var path in new[] { "/admin/v1/config", "/admin/v1/config/versions/1", "/admin/v1/config/versions/2", "/admin/v1/audit" })
            {
                using var response = await admin.GetAsync(path);
                var text = await response.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
            }

            // A password the start-up configuration does not hold cannot be written (it would be shown to every admin key).
            var refused = await AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/config/dry-run", new JsonObject
            {
                ["patch"] = new JsonObject { ["quotas"] = new JsonObject { ["redis"] = $"{_redis.Address},password=Other-pw-8d2e" } },
            }, HttpStatusCode.UnprocessableEntity);
            Assert.Contains("Quotas:Redis", AdminFixture.ErrorFields(refused));
            Assert.DoesNotContain("Other-pw-8d2e", refused.ToJsonString(), StringComparison.Ordinal);

            // The exported (redacted) document imports back: the real password stays in force.
            var document = exported["document"]!.AsObject();
            document["aliases"] = new JsonObject { ["fast"] = "qwen3" };
            var imported = await AdminFixture.SendAsync(admin, HttpMethod.Put, "/admin/v1/config", document, HttpStatusCode.OK);
            Assert.Equal(3, imported["version"]!.GetValue<long>());
            Assert.DoesNotContain(Password, imported.ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        foreach (var file in Directory.EnumerateFiles(_store, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(Password, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
        }

        // A restart takes version 3 from the store: the redacted connection string resolves to the real one.
        var restarted = await AdminFixture.StartGatewayAsync(config, _store, "--Admin:Store=file");
        try
        {
            await WaitConnectedAsync(restarted);
            Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(restarted, "fast"));
        }
        finally
        {
            await restarted.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_redis_store_never_holds_the_password()
    {
        var prefix = RedisServer.NewTaggedPrefix();
        var gateway = await GatewayHost.StartAsync(Config(), [.. AdminFixture.AdminArgs(null), "--Admin:Store=redis", $"--Admin:KeyPrefix={prefix}"]);
        try
        {
            using var admin = AdminFixture.AdminClient(gateway);
            await AdminFixture.SendAsync(admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim",
                new JsonObject { ["priority"] = 3 }, HttpStatusCode.OK);
            var audit = await AdminFixture.GetAsync(admin, "/admin/v1/audit");
            Assert.Equal(2, audit["data"]!.AsArray().Count);
            Assert.DoesNotContain(Password, audit.ToJsonString(), StringComparison.Ordinal);
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync($"{_redis.Address},password={Password}");
        var keys = redis.GetServer(_redis.Address).Keys(pattern: prefix + "*").ToList();
        Assert.Contains(keys, k => k.ToString().EndsWith("rev:2", StringComparison.Ordinal));
        foreach (var key in keys)
        {
            var value = await redis.GetDatabase().StringGetAsync(key);
            Assert.DoesNotContain(Password, value.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_version_stored_before_redaction_existed_is_shown_redacted()
    {
        // A store written by an older gateway holds the plain connection string in its document and audit entry.
        var config = Config();
        var document = ConfigDocument.FromOptions(config.Deserialize<GatewayOptions>()!);
        var plain = JsonValue.Create($"{_redis.Address},password={Password}");
        var legacy = new ConfigRevision(1, document.ToJsonString(ConfigDocument.Storage),
            new AuditEntry(1, DateTimeOffset.UtcNow, "startup", "seed", null, [new ConfigChange("quotas/redis", null, plain)]));
        await File.WriteAllTextAsync(Path.Combine(_store, "v000000000001.json"), JsonSerializer.Serialize(legacy, ConfigDocument.Storage));
        Assert.Contains(Password, await File.ReadAllTextAsync(Path.Combine(_store, "v000000000001.json")), StringComparison.Ordinal);

        var gateway = await AdminFixture.StartGatewayAsync(config, _store, "--Admin:Store=file");
        try
        {
            using var admin = AdminFixture.AdminClient(gateway);
            foreach (var path in new[] { "/admin/v1/config", "/admin/v1/config/versions/1", "/admin/v1/audit" })
            {
                using var response = await admin.GetAsync(path);
                var text = await response.Content.ReadAsStringAsync();
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.DoesNotContain(Password, text, StringComparison.Ordinal);
                Assert.Contains("password=***", text, StringComparison.Ordinal);
            }

            // The next change stores the redacted form, and its diff shows no password either.
            await AdminFixture.SendAsync(admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim",
                new JsonObject { ["priority"] = 3 }, HttpStatusCode.OK);
            Assert.DoesNotContain(Password, (await AdminFixture.GetAsync(admin, "/admin/v1/audit")).ToJsonString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Password, await File.ReadAllTextAsync(Path.Combine(_store, "v000000000002.json")), StringComparison.Ordinal);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    private JsonObject Config()
    {
        var config = AdminFixture.BaseConfig(_simulator.BaseUrl);
        config["Quotas"] = new JsonObject { ["Redis"] = $"{_redis.Address},password={Password}", ["KeyPrefix"] = RedisServer.NewPrefix() };
        return config;
    }

    private static async Task WaitConnectedAsync(GatewayHost gateway)
    {
        var redis = gateway.Service<QuotaStores>().Redis!;
        var waited = Stopwatch.StartNew();
        while (!redis.IsConnected)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "The quota store did not connect to Redis with the configured password.");
            await Task.Delay(50);
        }
    }
}
