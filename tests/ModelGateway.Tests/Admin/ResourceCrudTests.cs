using System.Net;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Admin;

/// <summary>List, get, create, replace, patch and delete of every resource, over real HTTP, and the effect on traffic.</summary>
public sealed class ResourceCrudTests : AdminFixture
{
    [Fact]
    public async Task Providers_crud_and_credentials_are_write_only()
    {
        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/providers", new JsonObject
        {
            ["id"] = "sim2",
            ["kind"] = "openai",
            ["baseUrl"] = Simulator.BaseUrl + "/v1",
            ["trust"] = "contracted",
            ["region"] = "eu",
            ["credential"] = "env:" + ProviderKeyVariable,
        }, HttpStatusCode.Created);
        Assert.Equal("sim2", created["id"]!.GetValue<string>());
        Assert.True(created["credentialConfigured"]!.GetValue<bool>());
        Assert.Null(created["credential"]);

        var fetched = await GetAsync(Admin, "/admin/v1/providers/sim2");
        Assert.Equal("contracted", fetched["trust"]!.GetValue<string>());
        Assert.Null(fetched["credential"]);

        var list = await GetAsync(Admin, "/admin/v1/providers");
        Assert.Equal(["sim", "sim2"], list["data"]!.AsArray().Select(p => p!["id"]!.GetValue<string>()));

        // Nothing the API returns, anywhere, carries the credential reference.
        foreach (var path in new[] { "/admin/v1/providers", "/admin/v1/config", "/admin/v1/audit", "/admin/v1/config/versions/2" })
        {
            using var response = await Admin.GetAsync(path);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(ProviderKeyVariable, text, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-admin-sim", text, StringComparison.Ordinal);
        }

        // Replace without the credential keeps it (a read-modify-write cannot lose it).
        fetched["region"] = "us";
        var replaced = await SendAsync(Admin, HttpMethod.Put, "/admin/v1/providers/sim2", fetched, HttpStatusCode.OK);
        Assert.Equal("us", replaced["region"]!.GetValue<string>());
        Assert.True(replaced["credentialConfigured"]!.GetValue<bool>());

        var patched = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/providers/sim2", new JsonObject { ["credential"] = "none" }, HttpStatusCode.OK);
        Assert.False(patched["credentialConfigured"]!.GetValue<bool>());

        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/providers/sim2", null, HttpStatusCode.NoContent);
        await GetAsync(Admin, "/admin/v1/providers/sim2", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Deployments_crud_changes_what_clients_can_use()
    {
        Assert.Equal(HttpStatusCode.NotFound, await ChatAsync(Gateway, "llama"));

        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "llama-sim",
            ["provider"] = "sim",
            ["models"] = new JsonArray("llama"),
            ["upstreamModel"] = "meta/llama-4",
            ["price"] = new JsonObject { ["inputPerMillion"] = 0.2, ["outputPerMillion"] = 0.6 },
            ["capabilities"] = new JsonArray("chat", "tools"),
            ["contextWindow"] = 131072,
        }, HttpStatusCode.Created);
        Assert.Equal(0.2m, created["price"]!["inputPerMillion"]!.GetValue<decimal>());
        Assert.Equal(["chat", "tools"], created["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "llama"));
        Assert.Equal("meta/llama-4", ModelOf(Simulator.State.Received[^1]));

        var patched = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/llama-sim",
            new JsonObject { ["upstreamModel"] = "meta/llama-4-maverick", ["price"] = new JsonObject { ["outputPerMillion"] = 0.8 } }, HttpStatusCode.OK);
        Assert.Equal(0.2m, patched["price"]!["inputPerMillion"]!.GetValue<decimal>());
        Assert.Equal(0.8m, patched["price"]!["outputPerMillion"]!.GetValue<decimal>());
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "llama"));
        Assert.Equal("meta/llama-4-maverick", ModelOf(Simulator.State.Received[^1]));

        var replaced = await SendAsync(Admin, HttpMethod.Put, "/admin/v1/deployments/llama-sim", new JsonObject
        {
            ["provider"] = "sim",
            ["models"] = new JsonArray("llama", "llama-big"),
            ["price"] = new JsonObject { ["inputPerMillion"] = 1, ["outputPerMillion"] = 2 },
        }, HttpStatusCode.OK);
        Assert.Null(replaced["upstreamModel"]);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "llama-big"));

        var list = await GetAsync(Admin, "/admin/v1/deployments");
        Assert.Equal(2, list["data"]!.AsArray().Count);

        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/deployments/llama-sim", null, HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, await ChatAsync(Gateway, "llama"));
    }

    [Fact]
    public async Task Aliases_crud()
    {
        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "fast", ["target"] = "qwen3" }, HttpStatusCode.Created);
        Assert.Equal("qwen3", created["target"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "fast"));

        Assert.Equal("qwen3", (await GetAsync(Admin, "/admin/v1/aliases/fast"))["target"]!.GetValue<string>());
        Assert.Single((await GetAsync(Admin, "/admin/v1/aliases"))["data"]!.AsArray());

        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "other",
            ["provider"] = "sim",
            ["models"] = new JsonArray("other-model"),
            ["price"] = new JsonObject { ["inputPerMillion"] = 0, ["outputPerMillion"] = 0 },
        }, HttpStatusCode.Created);
        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/aliases/fast", new JsonObject { ["target"] = "other-model" }, HttpStatusCode.OK);
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/aliases/fast", new JsonObject { ["target"] = "qwen3" }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "fast"));
        Assert.Equal("Qwen/Qwen3-32B", ModelOf(Simulator.State.Received[^1]));

        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/aliases/fast", null, HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, await ChatAsync(Gateway, "fast"));
    }

    [Fact]
    public async Task Routes_crud()
    {
        var rule = new JsonObject
        {
            ["id"] = "qwen-first",
            ["order"] = 10,
            ["match"] = new JsonObject { ["models"] = new JsonArray("qwen3") },
            ["deployments"] = new JsonArray("qwen-sim"),
            ["strategy"] = "cheapest",
        };
        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/routes", rule, HttpStatusCode.Created);
        Assert.Equal("cheapest", created["strategy"]!.GetValue<string>());
        Assert.Equal(10, (await GetAsync(Admin, "/admin/v1/routes/qwen-first"))["order"]!.GetValue<int>());

        var patched = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/routes/qwen-first", new JsonObject { ["strategy"] = "ordered" }, HttpStatusCode.OK);
        Assert.Equal("ordered", patched["strategy"]!.GetValue<string>());
        Assert.Equal(10, patched["order"]!.GetValue<int>());

        rule.Remove("id");
        rule["order"] = 5;
        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/routes/qwen-first", rule, HttpStatusCode.OK);
        Assert.Single((await GetAsync(Admin, "/admin/v1/routes"))["data"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));

        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/routes/qwen-first", null, HttpStatusCode.NoContent);
        Assert.Empty((await GetAsync(Admin, "/admin/v1/routes"))["data"]!.AsArray());
    }

    [Fact]
    public async Task Sensitivity_policy_and_custom_detectors_crud()
    {
        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/detectors",
            new JsonObject { ["id"] = "project-x", ["regex"] = "PROJECT-X-[0-9]{4}", ["level"] = "restricted" }, HttpStatusCode.Created);
        Assert.Equal("restricted", created["level"]!.GetValue<string>());
        Assert.Equal("PROJECT-X-[0-9]{4}", (await GetAsync(Admin, "/admin/v1/detectors/project-x"))["regex"]!.GetValue<string>());
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/detectors/project-x", new JsonObject { ["level"] = "confidential" }, HttpStatusCode.OK);
        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/detectors/project-x",
            new JsonObject { ["regex"] = "PX-[0-9]+", ["level"] = "confidential" }, HttpStatusCode.OK);
        Assert.Single((await GetAsync(Admin, "/admin/v1/detectors"))["data"]!.AsArray());

        // The whole sensitivity section, including the detector just added.
        var policy = await GetAsync(Admin, "/admin/v1/sensitivity");
        Assert.Equal("PX-[0-9]+", policy["patterns"]!["project-x"]!["regex"]!.GetValue<string>());
        var patched = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/sensitivity", new JsonObject
        {
            ["levels"] = new JsonObject { ["internal"] = new JsonObject { ["trust"] = new JsonArray("self-hosted") } },
            ["detectors"] = new JsonObject { ["email"] = "off" },
        }, HttpStatusCode.OK);
        Assert.Equal("off", patched["detectors"]!["email"]!.GetValue<string>());
        Assert.NotNull(patched["patterns"]!["project-x"]);

        // A restricted request (the custom detector fires) still goes to the self-hosted simulator.
        using var client = Gateway.HttpClient();
        using var explain = await client.PostAsync("/v1/route/explain", Json(new JsonObject
        {
            ["model"] = "qwen3",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "about PX-1234" }),
        }));
        var explanation = await ReadAsync(explain, HttpStatusCode.OK);
        Assert.Equal("confidential", explanation["sensitivity"]!["level"]!.GetValue<string>());
        Assert.Contains("project-x", explanation["sensitivity"]!["detectors"]!.AsArray().Select(d => d!.GetValue<string>()));

        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/detectors/project-x", null, HttpStatusCode.NoContent);
        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/sensitivity", new JsonObject(), HttpStatusCode.OK);
        Assert.Empty((await GetAsync(Admin, "/admin/v1/sensitivity"))["detectors"]!.AsObject());
    }

    [Fact]
    public async Task Keys_crud_and_the_secret_is_returned_once()
    {
        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/keys", new JsonObject { ["id"] = "ci-bot" }, HttpStatusCode.Created);
        var secret = created["secret"]!.GetValue<string>();
        Assert.StartsWith("mgk-", secret, StringComparison.Ordinal);
        Assert.Null(created["sha256"]);

        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3", secret));
        var fetched = await GetAsync(Admin, "/admin/v1/keys/ci-bot");
        Assert.Null(fetched["secret"]);
        Assert.Null(fetched["sha256"]);
        Assert.Equal(2, (await GetAsync(Admin, "/admin/v1/keys"))["data"]!.AsArray().Count);

        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/keys/ci-bot", new JsonObject { ["disabled"] = true }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatAsync(Gateway, "qwen3", secret));
        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/keys/ci-bot", new JsonObject { ["disabled"] = false }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3", secret));

        // Rotation: a new secret, returned once; the old one stops working.
        var rotated = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/keys/ci-bot/rotate", null, HttpStatusCode.OK);
        var newSecret = rotated["secret"]!.GetValue<string>();
        Assert.NotEqual(secret, newSecret);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatAsync(Gateway, "qwen3", secret));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3", newSecret));
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/keys/nobody/rotate", null, HttpStatusCode.NotFound);

        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/keys/ci-bot", null, HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.Unauthorized, await ChatAsync(Gateway, "qwen3", newSecret));
    }

    [Fact]
    public async Task Fallback_section_get_and_patch()
    {
        var fallback = await GetAsync(Admin, "/admin/v1/fallback");
        Assert.Equal(3, fallback["maxAttempts"]!.GetValue<int>());
        var patched = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/fallback", new JsonObject { ["maxAttempts"] = 2 }, HttpStatusCode.OK);
        Assert.Equal(2, patched["maxAttempts"]!.GetValue<int>());
        Assert.Equal(2, Gateway.Service<ModelGateway.Configuration.IGatewayConfigStore>().Current.Config.Routing.Fallback.MaxAttempts);
    }
}
