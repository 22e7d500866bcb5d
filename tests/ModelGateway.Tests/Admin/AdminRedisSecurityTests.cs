using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Configuration;
using ModelGateway.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ModelGateway.Tests.Admin;

/// <summary>
/// The admin store on its own Redis (<c>Admin:Redis</c>), with a password by reference (<c>Admin:RedisPassword</c>) and
/// TLS settings (<c>Admin:RedisTls</c>), read and checked by the same code as the quota connection's: two replicas share
/// configuration changes through a password-protected redis-server and through a TLS-only Redis Cluster with an ACL user;
/// with a wrong password or an untrusted CA the store cannot be read (the gateway serves its file, admin calls answer
/// 503, as with a store that is down), and a literal or misplaced password is refused without echoing it.
/// </summary>
public sealed class AdminRedisSecurityTests
{
    [Fact]
    public async Task A_password_protected_redis_server_with_the_password_by_file_reference_shares_changes_between_replicas()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await using var server = await RedisServer.StartAsync();
        await server.RequirePasswordAsync(password);
        await using var simulator = await SimulatorHost.StartAsync();
        var directory = Directory.CreateTempSubdirectory("mg-admin-redis-");
        try
        {
            var passwordFile = Path.Combine(directory.FullName, "redis-password");
            await File.WriteAllTextAsync(passwordFile, password + "\n");
            var wrongFile = Path.Combine(directory.FullName, "wrong-password");
            await File.WriteAllTextAsync(wrongFile, "not-" + password);
            var prefix = RedisServer.NewTaggedPrefix();
            // No quota Redis: the admin store's connection is its own.
            var config = TestConfig.Gateway().WithProvider("sim", simulator.BaseUrl + "/v1").WithDeployment("qwen-sim", "sim", ["qwen3"]);
            string[] Args(string reference) => [.. AdminFixture.AdminArgs(null), $"--Admin:Redis={server.Address}", $"--Admin:RedisPassword={reference}",
                $"--Admin:KeyPrefix={prefix}"];

            await using (var a = await GatewayHost.StartAsync(config, Args("file:" + passwordFile)))
            await using (var b = await GatewayHost.StartAsync(config, Args("file:" + passwordFile)))
            {
                await AssertChangeReachesAsync(a, b);
            }

            // The revisions are in that Redis, under the prefix.
            await using (var redis = await ConnectionMultiplexer.ConnectAsync($"{server.Address},password={password}"))
            {
                Assert.Equal(2, (long)await redis.GetDatabase().StringGetAsync(prefix + "version"));
            }

            // A wrong password: the store cannot be read, and the password is in no log.
            await AssertStoreRefusedAsync(config, Args("file:" + wrongFile), password);

            // Checked like Quotas:RedisPassword: a reference only, never echoed; and only beside Admin:Redis.
            var literal = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(config, Args(password)));
            Assert.Contains(literal.Errors, e => e.StartsWith("Admin:RedisPassword must be 'env:NAME', 'file:/path'", StringComparison.Ordinal));
            Assert.DoesNotContain(password, literal.ToString(), StringComparison.Ordinal);
            var twice = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(config,
                [.. AdminFixture.AdminArgs(null), $"--Admin:Redis={server.Address},password=x", $"--Admin:RedisPassword=file:{passwordFile}"]));
            Assert.Contains(twice.Errors, e => e == "Admin:RedisPassword is set and Admin:Redis has a password too: set it in one place.");
            var misplaced = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(config,
                [.. AdminFixture.AdminArgs(null), $"--Admin:RedisPassword=file:{passwordFile}"]));
            Assert.Contains(misplaced.Errors, e => e.StartsWith("Admin:RedisPassword and Admin:RedisTls apply to Admin:Redis, which is not set", StringComparison.Ordinal));
            var missingCa = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(config,
                [.. Args("file:" + passwordFile), "--Admin:RedisTls:CaCertificate=/nonexistent/ca.crt"]));
            Assert.Contains(missingCa.Errors, e => e == "Admin:RedisTls:CaCertificate file '/nonexistent/ca.crt' does not exist.");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_tls_only_redis_cluster_with_an_acl_user_takes_the_password_by_env_reference_and_the_private_ca()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var variable = "MG_TEST_ADMIN_REDIS_PASSWORD_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, password);
        try
        {
            await using var cluster = await RedisCluster.StartAsync(password, tls: true);
            await using var simulator = await SimulatorHost.StartAsync();
            var config = TestConfig.Gateway().WithProvider("sim", simulator.BaseUrl + "/v1").WithDeployment("qwen-sim", "sim", ["qwen3"]);
            string[] args = [.. AdminFixture.AdminArgs(null), $"--Admin:Redis={cluster.ConnectionString}", $"--Admin:RedisPassword=env:{variable}"];
            string[] trusted = [.. args, $"--Admin:RedisTls:CaCertificate={cluster.CaCertificate}"];

            await using (var a = await GatewayHost.StartAsync(config, trusted))
            await using (var b = await GatewayHost.StartAsync(config, trusted))
            {
                await AssertChangeReachesAsync(a, b);
            }

            // The store's keys sit under the default prefix's hash tag, in the cluster.
            var keys = new List<string>();
            for (var node = 0; node < 3; node++)
            {
                keys.AddRange((await cluster.CliAsync(node, "KEYS", "*")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }

            Assert.Contains("{mg-config}:version", keys);

            // Without the private CA the servers' certificates are not trusted: the store cannot be read.
            await AssertStoreRefusedAsync(config, args, password);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    /// <summary>The gateway starts on its file's configuration, says the store cannot be read (event 503), and admin calls answer 503.</summary>
    private static async Task AssertStoreRefusedAsync(JsonObject config, string[] args, string password)
    {
        var logs = new LogCapture();
        await using var gateway = await GatewayHost.StartAsync(config, builder => builder.Logging.AddProvider(logs), args);
        using var admin = AdminFixture.AdminClient(gateway);
        using var response = await admin.GetAsync("/admin/v1/config");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains(logs.Entries, e => e.EventId == 503);
        Assert.DoesNotContain(logs.Entries, e => e.ToString().Contains(password, StringComparison.Ordinal));
    }

    /// <summary>An alias added through <paramref name="a"/> is listed by <paramref name="b"/>, which took no admin call.</summary>
    private static async Task AssertChangeReachesAsync(GatewayHost a, GatewayHost b)
    {
        using var admin = AdminFixture.AdminClient(a);
        await AdminFixture.SendAsync(admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "fast", ["target"] = "qwen3" }, HttpStatusCode.Created);
        using var client = b.HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var models = JsonDocument.Parse(await client.GetStringAsync("/v1/models"));
            if (models.RootElement.GetProperty("data").EnumerateArray().Any(m => m.GetProperty("id").GetString() == "fast"))
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "replica B never listed the alias added through replica A");
            await Task.Delay(50);
        }
    }
}
