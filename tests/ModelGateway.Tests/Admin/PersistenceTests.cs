using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Admin;

/// <summary>The file store across restarts, the seed and reset rules, and concurrent writers.</summary>
public sealed class PersistenceTests : AdminFixture
{
    [Fact]
    public async Task Restarting_with_the_file_store_keeps_every_change()
    {
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "llama-sim", ["provider"] = "sim", ["models"] = new JsonArray("llama"),
            ["price"] = new JsonObject { ["inputPerMillion"] = 0.2, ["outputPerMillion"] = 0.6 },
        }, HttpStatusCode.Created);
        var key = (await SendAsync(Admin, HttpMethod.Post, "/admin/v1/keys", new JsonObject { ["id"] = "bot" }, HttpStatusCode.Created))["secret"]!.GetValue<string>();
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "fast", ["target"] = "llama" }, HttpStatusCode.Created);
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["priority"] = 7 }, HttpStatusCode.OK);
        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/aliases/fast", null, HttpStatusCode.NoContent);
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "quick", ["target"] = "llama" }, HttpStatusCode.Created);
        var before = await GetAsync(Admin, "/admin/v1/config");
        await Gateway.DisposeAsync();

        // The same start-up file as before: the store's version wins over it.
        var restarted = await StartGatewayAsync(BaseConfig(Simulator.BaseUrl), StorePath);
        Gateway = restarted; // disposed by the fixture
        using var admin = AdminClient(restarted);
        var after = await GetAsync(admin, "/admin/v1/config");
        Assert.Equal(7, after["version"]!.GetValue<long>());
        Assert.True(JsonNode.DeepEquals(before, after), $"{before}\n!=\n{after}");
        Assert.Equal(7, (await GetAsync(admin, "/admin/v1/audit"))["data"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(restarted, "quick", key));
        Assert.Equal(HttpStatusCode.NotFound, await ChatAsync(restarted, "fast", key));

        // Writes continue from the stored version.
        await SendAsync(admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["priority"] = 8 }, HttpStatusCode.OK);
        Assert.Equal(8, (await GetAsync(admin, "/admin/v1/config"))["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Config_reset_imports_the_file_as_a_new_version_and_history_stays()
    {
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["priority"] = 7 }, HttpStatusCode.OK);
        await Gateway.DisposeAsync();

        var file = BaseConfig(Simulator.BaseUrl);
        file["Aliases"] = new JsonObject { ["from-file"] = "qwen3" };
        var reset = await StartGatewayAsync(file, StorePath, "--config-reset=true");
        Gateway = reset;
        using var admin = AdminClient(reset);
        var config = await GetAsync(admin, "/admin/v1/config");
        Assert.Equal(3, config["version"]!.GetValue<long>());
        Assert.Equal(0, config["document"]!["deployments"]!["qwen-sim"]!["priority"]!.GetValue<int>());
        Assert.Equal("qwen3", config["document"]!["aliases"]!["from-file"]!.GetValue<string>());
        var audit = (await GetAsync(admin, "/admin/v1/audit?limit=1"))["data"]![0]!;
        Assert.Equal("startup", audit["actor"]!.GetValue<string>());
        Assert.Equal("reset from configuration file", audit["action"]!.GetValue<string>());

        // The edit made before the reset is not lost: restore it.
        await SendAsync(admin, HttpMethod.Post, "/admin/v1/config/versions/2/restore", null, HttpStatusCode.OK);
        Assert.Equal(7, (await GetAsync(admin, "/admin/v1/deployments/qwen-sim"))["priority"]!.GetValue<int>());
    }

    [Fact]
    public async Task With_the_store_in_charge_a_file_edit_is_logged_and_ignored()
    {
        var logs = new LogCapture();
        var storePath = Directory.CreateTempSubdirectory("mg-admin-file-").FullName;
        var config = BaseConfig(Simulator.BaseUrl);
        await using var gateway = await GatewayHost.StartAsync(config,
            builder => builder.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs), AdminArgs(storePath));
        var version = gateway.Service<ModelGateway.Configuration.IGatewayConfigStore>().Current.Version;

        config["Aliases"] = new JsonObject { ["from-file"] = "qwen3" };
        await File.WriteAllTextAsync(gateway.ConfigPath, new JsonObject { ["ModelGateway"] = config.DeepClone() }.ToJsonString());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!logs.Entries.Any(e => e.EventId == 505))
        {
            Assert.True(DateTime.UtcNow < deadline, "The file change was never noticed.");
            await Task.Delay(20);
        }

        Assert.Equal(version, gateway.Service<ModelGateway.Configuration.IGatewayConfigStore>().Current.Version);
        Assert.Equal(HttpStatusCode.NotFound, await ChatAsync(gateway, "from-file"));
        using var admin = AdminClient(gateway);
        Assert.Equal(1, (await GetAsync(admin, "/admin/v1/config"))["version"]!.GetValue<long>());
    }

    [Fact]
    public async Task Without_admin_keys_the_gateway_follows_its_file_as_before()
    {
        await using var plain = await GatewayHost.StartAsync(BaseConfig(Simulator.BaseUrl));
        using var client = plain.HttpClient(AdminKey);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/v1/providers")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(plain, "qwen3"));
    }

    [Fact]
    public async Task Fifty_parallel_conflicting_updates_leave_a_consistent_configuration_and_an_audit_entry_per_accepted_write()
    {
        using var first = await Admin.GetAsync("/admin/v1/deployments/qwen-sim");
        var etag = first.Headers.ETag!.Tag;

        // Every writer read the same ETag: some win, the rest get 412. Half also write without If-Match (last writer wins).
        var results = await Task.WhenAll(Enumerable.Range(1, 50).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Patch, "/admin/v1/deployments/qwen-sim")
            {
                Content = Json(new JsonObject { ["priority"] = i }),
            };
            if (i % 2 == 0)
            {
                request.Headers.IfMatch.Add(System.Net.Http.Headers.EntityTagHeaderValue.Parse(etag));
            }

            using var response = await Admin.SendAsync(request);
            return (Priority: i, Status: response.StatusCode, Version: response.Headers.TryGetValues("x-config-version", out var v) ? long.Parse(v.First(), System.Globalization.CultureInfo.InvariantCulture) : 0);
        }));

        Assert.All(results, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.PreconditionFailed, r.ToString()));
        var accepted = results.Where(r => r.Status == HttpStatusCode.OK).ToList();
        Assert.All(results.Where(r => r.Priority % 2 == 1), r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.True(results.Count(r => r.Priority % 2 == 0 && r.Status == HttpStatusCode.OK) <= 1, "Two writers won with the same If-Match.");

        // One version per accepted write, no gaps, no duplicates.
        Assert.Equal(Enumerable.Range(2, accepted.Count).Select(v => (long)v), accepted.Select(r => r.Version).Order());
        var config = await GetAsync(Admin, "/admin/v1/config");
        Assert.Equal(1 + accepted.Count, config["version"]!.GetValue<long>());
        var last = accepted.MaxBy(r => r.Version);
        Assert.Equal(last.Priority, config["document"]!["deployments"]!["qwen-sim"]!["priority"]!.GetValue<int>());
        Assert.Equal(last.Priority, Gateway.Service<ModelGateway.Configuration.IGatewayConfigStore>().Current.Config.Deployments["qwen-sim"].Priority);

        var audit = (await GetAsync(Admin, "/admin/v1/audit?limit=100"))["data"]!.AsArray();
        Assert.Equal(accepted.Count + 1, audit.Count);
        foreach (var write in accepted)
        {
            var entry = Assert.Single(audit, e => e!["version"]!.GetValue<long>() == write.Version)!;
            Assert.Equal("ops", entry["actor"]!.GetValue<string>());
            Assert.Equal(write.Priority, entry["changes"]![0]!["after"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Fifty_parallel_read_modify_write_increments_lose_no_update()
    {
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["contextWindow"] = 1000 }, HttpStatusCode.OK);
        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            while (true)
            {
                using var get = await Admin.GetAsync("/admin/v1/deployments/qwen-sim");
                var current = JsonNode.Parse(await get.Content.ReadAsStringAsync())!["contextWindow"]!.GetValue<int>();
                using var request = new HttpRequestMessage(HttpMethod.Patch, "/admin/v1/deployments/qwen-sim")
                {
                    Content = Json(new JsonObject { ["contextWindow"] = current + 1 }),
                };
                request.Headers.IfMatch.Add(get.Headers.ETag!);
                using var response = await Admin.SendAsync(request);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
                Interlocked.Increment(ref conflicts);
            }
        }));

        Assert.Equal(1050, (await GetAsync(Admin, "/admin/v1/deployments/qwen-sim"))["contextWindow"]!.GetValue<int>());
        Assert.Equal(52, (await GetAsync(Admin, "/admin/v1/config"))["version"]!.GetValue<long>());
        Assert.Equal(52, (await GetAsync(Admin, "/admin/v1/audit?limit=1000"))["data"]!.AsArray().Count);
        Assert.True(conflicts > 0, "The writers never conflicted; the test proves nothing.");
    }
}
