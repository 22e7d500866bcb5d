using System.Net;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Admin;

/// <summary>ETags and If-Match, the audit log, restore, dry runs, and admin/client key separation.</summary>
public sealed class VersioningTests : AdminFixture
{
    [Fact]
    public async Task A_stale_if_match_gets_412_and_changes_nothing()
    {
        using var first = await Admin.GetAsync("/admin/v1/deployments/qwen-sim");
        var etag = first.Headers.ETag!.Tag;

        var updated = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["priority"] = 1 }, HttpStatusCode.OK, ifMatch: etag);
        var newEtag = updated["etag"]!.GetValue<string>();
        Assert.NotEqual(etag, newEtag);

        var conflict = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["priority"] = 2 }, HttpStatusCode.PreconditionFailed, ifMatch: etag);
        Assert.Equal(412, conflict["status"]!.GetValue<int>());
        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/deployments/qwen-sim", new JsonObject(), HttpStatusCode.PreconditionFailed, ifMatch: etag);
        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/deployments/qwen-sim", null, HttpStatusCode.PreconditionFailed, ifMatch: etag);
        Assert.Equal(1, (await GetAsync(Admin, "/admin/v1/deployments/qwen-sim"))["priority"]!.GetValue<int>());

        // A change to another resource does not change this one's ETag.
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["region"] = "eu" }, HttpStatusCode.OK);
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["priority"] = 3 }, HttpStatusCode.OK, ifMatch: newEtag);

        // The whole configuration has a version ETag too.
        using var config = await Admin.GetAsync("/admin/v1/config");
        Assert.Equal("\"v4\"", config.Headers.ETag!.Tag);
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/config/versions/1/restore", null, HttpStatusCode.PreconditionFailed, ifMatch: "\"v3\"");
    }

    [Fact]
    public async Task The_audit_log_records_who_what_when_and_a_diff_and_restore_brings_back_a_version()
    {
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim",
            new JsonObject { ["price"] = new JsonObject { ["inputPerMillion"] = 0.75 } }, HttpStatusCode.OK);
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "fast", ["target"] = "qwen3" }, HttpStatusCode.Created);

        var audit = (await GetAsync(Admin, "/admin/v1/audit"))["data"]!.AsArray();
        Assert.Equal([3L, 2L, 1L], audit.Select(e => e!["version"]!.GetValue<long>()));
        Assert.Equal("ops", audit[0]!["actor"]!.GetValue<string>());
        Assert.Equal("create aliases/fast", audit[0]!["action"]!.GetValue<string>());
        Assert.Equal("patch deployments/qwen-sim", audit[1]!["action"]!.GetValue<string>());
        Assert.Equal("seed", audit[2]!["action"]!.GetValue<string>());
        Assert.NotNull(audit[1]!["requestId"]);
        var change = Assert.Single(audit[1]!["changes"]!.AsArray());
        Assert.Equal("deployments/qwen-sim/price/inputPerMillion", change!["path"]!.GetValue<string>());
        Assert.Equal(0.5m, change["before"]!.GetValue<decimal>());
        Assert.Equal(0.75m, change["after"]!.GetValue<decimal>());
        Assert.True(DateTimeOffset.UtcNow - audit[0]!["at"]!.GetValue<DateTimeOffset>() < TimeSpan.FromMinutes(1));

        // Restore version 1 in one call: a new version with the old document.
        var restored = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/config/versions/1/restore", null, HttpStatusCode.OK, ifMatch: "\"v3\"");
        Assert.Equal(4, restored["version"]!.GetValue<long>());
        Assert.Equal(0.5m, (await GetAsync(Admin, "/admin/v1/deployments/qwen-sim"))["price"]!["inputPerMillion"]!.GetValue<decimal>());
        await GetAsync(Admin, "/admin/v1/aliases/fast", HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, await ChatAsync(Gateway, "fast"));
        var latest = (await GetAsync(Admin, "/admin/v1/audit?limit=1"))["data"]!.AsArray();
        Assert.Equal("restore version 1", Assert.Single(latest)!["action"]!.GetValue<string>());

        var version2 = await GetAsync(Admin, "/admin/v1/config/versions/2");
        Assert.Equal(0.75m, version2["document"]!["deployments"]!["qwen-sim"]!["price"]!["inputPerMillion"]!.GetValue<decimal>());
        await GetAsync(Admin, "/admin/v1/config/versions/99", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_exported_document_imports_back_keeping_credentials_and_key_hashes()
    {
        var exported = await GetAsync(Admin, "/admin/v1/config");
        Assert.Null(exported["document"]!["providers"]!["sim"]!["credential"]);
        Assert.Null(exported["document"]!["keys"]![TestConfig.ClientKeyId]!["sha256"]);

        // Unchanged: no new version.
        var same = await SendAsync(Admin, HttpMethod.Put, "/admin/v1/config", exported, HttpStatusCode.OK, ifMatch: "\"v1\"");
        Assert.Equal(1, same["version"]!.GetValue<long>());
        Assert.Empty(same["changes"]!.AsArray());

        var document = exported["document"]!.AsObject();
        document["aliases"] = new JsonObject { ["fast"] = "qwen3" };
        var imported = await SendAsync(Admin, HttpMethod.Put, "/admin/v1/config", document, HttpStatusCode.OK, ifMatch: "\"v1\"");
        Assert.Equal(2, imported["version"]!.GetValue<long>());
        Assert.Equal("aliases/fast", Assert.Single(imported["changes"]!.AsArray())!["path"]!.GetValue<string>());
        Assert.True((await GetAsync(Admin, "/admin/v1/providers/sim"))["credentialConfigured"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "fast"));

        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/config", document, HttpStatusCode.PreconditionFailed, ifMatch: "\"v1\"");
    }

    [Fact]
    public async Task A_dry_run_validates_and_explains_without_applying()
    {
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/providers", new JsonObject
        {
            ["id"] = "cloud", ["kind"] = "openai", ["baseUrl"] = Simulator.BaseUrl + "/v1", ["trust"] = "public",
        }, HttpStatusCode.Created);
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "qwen-cloud", ["provider"] = "cloud", ["models"] = new JsonArray("qwen3"), ["priority"] = 5,
            ["price"] = new JsonObject { ["inputPerMillion"] = 0.1, ["outputPerMillion"] = 0.1 },
        }, HttpStatusCode.Created);

        // A resource write with ?dryRun=true: the would-be change, nothing stored.
        var dry = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-cloud?dryRun=true", new JsonObject { ["priority"] = -1 }, HttpStatusCode.OK);
        Assert.True(dry["dryRun"]!.GetValue<bool>());
        Assert.Equal("deployments/qwen-cloud/priority", dry["changes"]![0]!["path"]!.GetValue<string>());
        Assert.Equal(5, (await GetAsync(Admin, "/admin/v1/deployments/qwen-cloud"))["priority"]!.GetValue<int>());
        var invalid = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-cloud?dryRun=true",
            new JsonObject { ["provider"] = "ghost" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Deployments:qwen-cloud:Provider", ErrorFields(invalid));

        // The config dry run explains sample requests before and after.
        var sample = new JsonObject
        {
            ["body"] = new JsonObject { ["model"] = "qwen3", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) },
            ["headers"] = new JsonObject { ["x-gateway-sensitivity"] = "public" },
            ["key"] = TestConfig.ClientKeyId,
        };
        var result = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/config/dry-run", new JsonObject
        {
            ["patch"] = new JsonObject { ["deployments"] = new JsonObject { ["qwen-cloud"] = new JsonObject { ["priority"] = -1 } } },
            ["samples"] = new JsonArray(sample),
        }, HttpStatusCode.OK);
        var explanation = result["explanations"]![0]!;
        Assert.Equal("qwen-sim", explanation["before"]!["order"]![0]!.GetValue<string>());
        Assert.Equal("qwen-cloud", explanation["after"]!["order"]![0]!.GetValue<string>());
        Assert.Equal(5, (await GetAsync(Admin, "/admin/v1/deployments/qwen-cloud"))["priority"]!.GetValue<int>());
        Assert.Equal(3, (await GetAsync(Admin, "/admin/v1/config"))["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Admin_and_client_keys_are_separate()
    {
        using var anonymous = Gateway.HttpClient(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/admin/v1/providers")).StatusCode);

        using var client = Gateway.HttpClient(TestConfig.ClientKey);
        using var refused = await client.GetAsync("/admin/v1/providers");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);

        Assert.Equal(HttpStatusCode.Unauthorized, await ChatAsync(Gateway, "qwen3", AdminKey));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));

        // A client key with an admin key's hash is refused.
        var clash = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/keys", new JsonObject
        {
            ["id"] = "sneaky",
            ["sha256"] = ModelGateway.FrontDoor.ClientAuthenticationMiddleware.HashKey(AdminKey),
        }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Keys:sneaky:Sha256", ErrorFields(clash));

        using var viewer = AdminClient(Gateway, ReadOnlyKey);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/admin/v1/providers")).StatusCode);
        await SendAsync(viewer, HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["region"] = "eu" }, HttpStatusCode.Forbidden);
        await SendAsync(viewer, HttpMethod.Patch, "/admin/v1/providers/sim?dryRun=true", new JsonObject { ["region"] = "eu" }, HttpStatusCode.OK);
        Assert.Null((await GetAsync(viewer, "/admin/v1/providers/sim"))["region"]);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_admin_api()
    {
        var document = await GetAsync(Admin, "/admin/v1/openapi/admin.json");
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/admin/v1/providers", paths);
        Assert.Contains("/admin/v1/deployments/{id}", paths);
        Assert.Contains("/admin/v1/config/versions/{version}/restore", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/v1/", StringComparison.Ordinal));
        using var anonymous = Gateway.HttpClient(key: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/admin/v1/openapi/admin.json")).StatusCode);
    }
}

/// <summary>The admin API on a port of its own.</summary>
public sealed class AdminPortTests
{
    [Fact]
    public async Task With_Admin_Port_the_admin_api_answers_only_on_that_port()
    {
        Environment.SetEnvironmentVariable(AdminFixture.ProviderKeyVariable, "sk-admin-sim");
        await using var simulator = await SimulatorHost.StartAsync();
        var (publicPort, adminPort) = (FreePort(), FreePort());
        await using var gateway = await GatewayHost.StartAsync(AdminFixture.BaseConfig(simulator.BaseUrl),
            [.. AdminFixture.AdminArgs(Directory.CreateTempSubdirectory("mg-admin-port-").FullName),
             $"--urls=http://127.0.0.1:{publicPort};http://127.0.0.1:{adminPort}", $"--Admin:Port={adminPort}"]);

        using var onPublic = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{publicPort}") };
        onPublic.DefaultRequestHeaders.Authorization = new("Bearer", AdminFixture.AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, (await onPublic.GetAsync("/admin/v1/providers")).StatusCode);

        using var onAdmin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        onAdmin.DefaultRequestHeaders.Authorization = new("Bearer", AdminFixture.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await onAdmin.GetAsync("/admin/v1/providers")).StatusCode);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
