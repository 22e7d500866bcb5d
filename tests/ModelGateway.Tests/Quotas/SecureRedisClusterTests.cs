using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Quotas;

/// <summary>
/// A Redis Cluster as managed services run it: TLS only (a private CA), an ACL user with a password and the default
/// user switched off. The gateway connects with <c>user=</c> and <c>ssl=true</c> in <c>Quotas:Redis</c>, the password by
/// reference (<c>Quotas:RedisPassword</c>) and the CA in <c>Quotas:RedisTls:CaCertificate</c>; a wrong password or an
/// untrusted CA is refused by the servers (fail-closed: 503), and the password never reaches a log.
/// </summary>
public sealed class SecureRedisClusterTests : IAsyncLifetime
{
    private readonly string _password = "pw-" + Guid.NewGuid().ToString("N");
    private readonly string _variable = "MG_TEST_REDIS_PASSWORD_" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _wrongVariable = "MG_TEST_REDIS_WRONG_" + Guid.NewGuid().ToString("N")[..8];
    private SimulatorHost _simulator = null!;
    private RedisCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(_variable, _password);
        Environment.SetEnvironmentVariable(_wrongVariable, "not-" + _password);
        _simulator = await SimulatorHost.StartAsync();
        _cluster = await RedisCluster.StartAsync(_password, tls: true);
    }

    public async Task DisposeAsync()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        Environment.SetEnvironmentVariable(_wrongVariable, null);
        await _cluster.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Fact]
    public async Task An_acl_user_over_tls_with_the_password_by_reference_enforces_limits_and_a_wrong_password_or_ca_is_refused()
    {
        // The servers really are TLS-only with the default user off: a plain client and the default user are refused.
        Assert.False(await PlainPingAnsweredAsync());
        Assert.Contains("NOAUTH", await DefaultUserReplyAsync(), StringComparison.OrdinalIgnoreCase);

        var logs = new LogCapture();
        await using (var gateway = await GatewayHost.StartAsync(Config("env:" + _variable, trustCa: true), b => b.Logging.AddProvider(logs),
            "--Serilog:MinimumLevel:Default=Debug"))
        {
            using var client = gateway.HttpClient();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 8; i++)
            {
                using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        }

        // The counters are in the cluster, under the team's hash tag.
        Assert.Contains("{mg:team:secure}:w:team:secure", await AllKeysAsync(), StringComparer.Ordinal);

        await using (var wrongPassword = await GatewayHost.StartAsync(Config("env:" + _wrongVariable, trustCa: true), b => b.Logging.AddProvider(logs)))
        {
            await AssertStoreUnavailableAsync(wrongPassword);
        }

        await using (var untrusted = await GatewayHost.StartAsync(Config("env:" + _variable, trustCa: false), b => b.Logging.AddProvider(logs)))
        {
            await AssertStoreUnavailableAsync(untrusted);
        }

        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, e => e.ToString().Contains(_password, StringComparison.Ordinal));
    }

    [Fact]
    public void A_literal_password_where_a_reference_belongs_is_refused_without_echoing_it()
    {
        var options = new ModelGateway.Configuration.GatewayOptions { Quotas = { Redis = "127.0.0.1:6379", RedisPassword = _password } };
        var errors = new List<string>();
        ModelGateway.Configuration.GatewayConfigBuilder.TryBuild(options, _ => null, errors);
        Assert.Contains(errors, e => e.StartsWith("Quotas:RedisPassword must be 'env:NAME', 'file:/path'", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains(_password, StringComparison.Ordinal));

        var twice = new ModelGateway.Configuration.GatewayOptions { Quotas = { Redis = "127.0.0.1:6379,password=x", RedisPassword = "env:" + _variable } };
        errors.Clear();
        ModelGateway.Configuration.GatewayConfigBuilder.TryBuild(twice, Environment.GetEnvironmentVariable, errors);
        Assert.Contains(errors, e => e.Contains("set it in one place", StringComparison.Ordinal));
    }

    private JsonObject Config(string passwordReference, bool trustCa)
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_cluster.ConnectionString, prefix: null, failureMode: "fail-closed", redisTimeout: "00:00:02")
            .WithTeam("secure", new JsonObject { ["RequestsPerMinute"] = 5 })
            .WithTestKey(team: "secure");
        config["Quotas"]!["RedisPassword"] = passwordReference;
        if (trustCa)
        {
            config["Quotas"]!["RedisTls"] = new JsonObject { ["CaCertificate"] = _cluster.CaCertificate };
        }

        return config;
    }

    private static async Task AssertStoreUnavailableAsync(GatewayHost gateway)
    {
        using var client = gateway.HttpClient();
        using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("quota_store_unavailable", error.GetProperty("code").GetString());
    }

    private async Task<List<string>> AllKeysAsync()
    {
        var keys = new List<string>();
        for (var node = 0; node < 3; node++)
        {
            keys.AddRange((await _cluster.CliAsync(node, "KEYS", "*")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        return keys;
    }

    /// <summary>Whether a plain-text PING to a TLS-only node gets PONG (it must not: the node drops the connection).</summary>
    private async Task<bool> PlainPingAnsweredAsync()
    {
        var port = int.Parse(_cluster.Endpoints.Split(',')[0].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            return System.Text.Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>What the default user (no AUTH) gets over TLS: NOAUTH, since only the ACL user may connect.</summary>
    private async Task<string> DefaultUserReplyAsync()
    {
        var port = _cluster.Endpoints.Split(',')[0].Split(':')[1];
        var info = new System.Diagnostics.ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", "127.0.0.1", "-p", port, "--tls", "--cacert", _cluster.CaCertificate, "GET", "x" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }
}
