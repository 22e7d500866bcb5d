using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Admin;
using ModelGateway.Configuration;

namespace ModelGateway.Tests.Quotas;

/// <summary>Start-up checks of the Redis connection settings: the admin store's hash tag, the password reference through the admin API, TLS files.</summary>
public sealed class RedisConnectionConfigTests
{
    [Theory]
    [InlineData("mg-config:")]
    [InlineData("{}:")]
    [InlineData("}mg{:")]
    public void An_admin_store_prefix_without_a_hash_tag_stops_start_up_naming_its_path(string prefix)
    {
        var error = Assert.Throws<GatewayConfigException>(() => AddAdmin(prefix));
        Assert.Contains(error.Errors, e => e.StartsWith($"Admin:KeyPrefix '{prefix}' must contain a Redis hash tag", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_admin_store_prefix_is_a_hash_tag() => AddAdmin(new AdminOptions().KeyPrefix);

    [Fact]
    public void The_admin_api_may_not_point_a_redis_password_at_another_redis()
    {
        var startup = new GatewayOptions { Quotas = { Redis = "redis-a:6379,user=mg", RedisPassword = "env:REDIS_PASSWORD" } };

        // Unchanged: allowed.
        var same = new GatewayOptions { Quotas = { Redis = "redis-a:6379,user=mg", RedisPassword = "env:REDIS_PASSWORD" } };
        var errors = new List<string>();
        CredentialPolicy.CheckRedisPassword(same, startup, startup, errors);
        Assert.Empty(errors);

        // The same reference sent to a host of the editor's choosing: refused, and cleared so that it is not read.
        var moved = new GatewayOptions { Quotas = { Redis = "attacker.example:6379,user=mg", RedisPassword = "env:REDIS_PASSWORD" } };
        CredentialPolicy.CheckRedisPassword(moved, startup, startup, errors);
        Assert.Contains(errors, e => e.StartsWith("Quotas:RedisPassword may not be set or moved", StringComparison.Ordinal));
        Assert.Null(moved.Quotas.RedisPassword);

        // A new reference: refused too.
        errors.Clear();
        var other = new GatewayOptions { Quotas = { Redis = "redis-a:6379,user=mg", RedisPassword = "file:/etc/shadow" } };
        CredentialPolicy.CheckRedisPassword(other, startup, startup, errors);
        Assert.Single(errors);
    }

    [Fact]
    public void Tls_files_must_exist_and_a_client_certificate_needs_its_key()
    {
        var options = new GatewayOptions
        {
            Quotas = { Redis = "127.0.0.1:6379", RedisTls = { CaCertificate = "/nonexistent/ca.crt", ClientCertificate = "/nonexistent/client.crt" } },
        };
        var errors = new List<string>();
        GatewayConfigBuilder.TryBuild(options, _ => null, errors);
        Assert.Contains(errors, e => e == "Quotas:RedisTls: ClientCertificate and ClientKey go together.");
        Assert.Contains(errors, e => e == "Quotas:RedisTls:CaCertificate file '/nonexistent/ca.crt' does not exist.");
    }

    private static void AddAdmin(string prefix)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admin:Keys:ops:Sha256"] = new string('a', 64),
            ["Admin:Store"] = "redis",
            ["Admin:Redis"] = "127.0.0.1:1",
            ["Admin:KeyPrefix"] = prefix,
        }).Build();
        new ServiceCollection().AddAdminApi(configuration);
    }
}
