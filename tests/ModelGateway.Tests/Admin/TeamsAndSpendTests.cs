using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ModelGateway.Accounting;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Admin;

/// <summary>Teams, key limits and budgets through the admin API, and spend reports over the usage ledger.</summary>
public sealed class TeamsAndSpendTests : AdminFixture
{
    [Fact]
    public async Task Teams_crud_and_a_raised_budget_is_in_force_for_the_next_request()
    {
        var created = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/teams", new JsonObject
        {
            ["id"] = "team-a",
            ["limits"] = new JsonObject { ["usdPerDay"] = 0.000000001m },
            ["models"] = new JsonObject { ["qwen3"] = new JsonObject { ["requestsPerMinute"] = 100 } },
        }, HttpStatusCode.Created);
        Assert.Equal(0.000000001m, created["limits"]!["usdPerDay"]!.GetValue<decimal>());
        Assert.Single((await GetAsync(Admin, "/admin/v1/teams"))["data"]!.AsArray());

        // The test key joins the team: its tiny daily budget refuses the next request.
        await SendAsync(Admin, HttpMethod.Patch, $"/admin/v1/keys/{TestConfig.ClientKeyId}", new JsonObject { ["team"] = "team-a" }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.TooManyRequests, await ChatAsync(Gateway, "qwen3"));

        // Raise the team's budget: the next request is served.
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/teams/team-a", new JsonObject { ["limits"] = new JsonObject { ["usdPerDay"] = 100 } }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));

        // A key's own limits: one request per minute, then 429.
        await SendAsync(Admin, HttpMethod.Patch, $"/admin/v1/keys/{TestConfig.ClientKeyId}",
            new JsonObject { ["limits"] = new JsonObject { ["requestsPerMinute"] = 1 } }, HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await ChatAsync(Gateway, "qwen3"));

        // Still referenced by the key, a rule and the sensitivity policy: refused, with every referrer.
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/routes", new JsonObject
        {
            ["id"] = "team-a-rule", ["match"] = new JsonObject { ["teams"] = new JsonArray("team-a") },
        }, HttpStatusCode.Created);
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/sensitivity", new JsonObject { ["teamDefaults"] = new JsonObject { ["team-a"] = "internal" } }, HttpStatusCode.OK);
        var refused = await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/teams/team-a", null, HttpStatusCode.Conflict);
        Assert.Equal([$"keys/{TestConfig.ClientKeyId}", "routes/team-a-rule", "sensitivity/teamDefaults/team-a"],
            refused["referrers"]!.AsArray().Select(r => r!.GetValue<string>()));
        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/routes/team-a-rule", null, HttpStatusCode.NoContent);
        await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/sensitivity", new JsonObject { ["teamDefaults"] = null }, HttpStatusCode.OK);

        var invalid = await SendAsync(Admin, HttpMethod.Put, "/admin/v1/teams/team-b", new JsonObject
        {
            ["limits"] = new JsonObject { ["usdPerDay"] = -5, ["requestsPerMinute"] = -1 },
            ["models"] = new JsonObject { ["ghost-model"] = new JsonObject() },
        }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Teams:team-b:Limits", ErrorFields(invalid));
        Assert.Contains("Teams:team-b:Models:ghost-model", ErrorFields(invalid));

        await SendAsync(Admin, HttpMethod.Patch, $"/admin/v1/keys/{TestConfig.ClientKeyId}", new JsonObject { ["team"] = null }, HttpStatusCode.OK);
        await SendAsync(Admin, HttpMethod.Put, "/admin/v1/teams/team-a", new JsonObject(), HttpStatusCode.OK);
        await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/teams/team-a", null, HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Spend_per_key_team_model_provider_and_day_as_json_and_csv()
    {
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/teams", new JsonObject { ["id"] = "team-a" }, HttpStatusCode.Created);
        await SendAsync(Admin, HttpMethod.Patch, $"/admin/v1/keys/{TestConfig.ClientKeyId}", new JsonObject { ["team"] = "team-a" }, HttpStatusCode.OK);
        var other = (await SendAsync(Admin, HttpMethod.Post, "/admin/v1/keys", new JsonObject { ["id"] = "solo" }, HttpStatusCode.Created))["secret"]!.GetValue<string>();
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "fast", ["target"] = "qwen3" }, HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "fast", other));
        var records = await RecordsAsync(3);

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var byKey = await GetAsync(Admin, $"/admin/v1/spend?from={today}&to={today}&groupBy=key,team");
        var rows = byKey["data"]!.AsArray();
        Assert.Equal(2, rows.Count);
        var teamRow = rows.Single(r => r!["key"]!.GetValue<string>() == TestConfig.ClientKeyId)!;
        Assert.Equal("team-a", teamRow["team"]!.GetValue<string>());
        Assert.Equal(2, teamRow["requests"]!.GetValue<long>());
        var mine = records.Where(r => r.KeyId == TestConfig.ClientKeyId).ToList();
        Assert.Equal(mine.Sum(r => r.CostUsd), teamRow["costUsd"]!.GetValue<decimal>());
        Assert.Equal(mine.Sum(r => r.Usage.TotalTokens), teamRow["totalTokens"]!.GetValue<long>());
        Assert.Null(rows.Single(r => r!["key"]!.GetValue<string>() == "solo")!["team"]);
        Assert.Equal(records.Sum(r => r.CostUsd), byKey["total"]!["costUsd"]!.GetValue<decimal>());
        Assert.True(records.Sum(r => r.CostUsd) > 0);

        var byModel = await GetAsync(Admin, "/admin/v1/spend?groupBy=model,provider,day");
        Assert.Equal(["fast", "qwen3"], byModel["data"]!.AsArray().Select(r => r!["model"]!.GetValue<string>()).Order());
        Assert.All(byModel["data"]!.AsArray(), r => Assert.Equal("sim", r!["provider"]!.GetValue<string>()));
        Assert.All(byModel["data"]!.AsArray(), r => Assert.Equal(today, r!["day"]!.GetValue<string>()));

        var filtered = await GetAsync(Admin, "/admin/v1/spend?groupBy=team&team=team-a");
        Assert.Equal(2, Assert.Single(filtered["data"]!.AsArray())!["requests"]!.GetValue<long>());

        using var csv = await Admin.GetAsync("/admin/v1/spend?groupBy=team,model&format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal("team,model,requests,prompt_tokens,cached_prompt_tokens,completion_tokens,reasoning_tokens,total_tokens,cost_usd", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(",fast,1,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("team-a,qwen3,2,", lines[2], StringComparison.Ordinal);

        var empty = await GetAsync(Admin, "/admin/v1/spend?from=2020-01-01&to=2020-01-31");
        Assert.Empty(empty["data"]!.AsArray());

        var bad = await GetAsync(Admin, "/admin/v1/spend?from=yesterday&to=2020-01-01&groupBy=colour&format=xml", HttpStatusCode.BadRequest);
        Assert.Contains("from", ErrorFields(bad));
        Assert.Contains("groupBy", ErrorFields(bad));
        Assert.Contains("format", ErrorFields(bad));
    }

    private async Task<IReadOnlyList<UsageRecord>> RecordsAsync(int count)
    {
        var ledger = Gateway.Service<IUsageLedger>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await ledger.FlushAsync(TimeSpan.FromSeconds(10));
            var records = await ledger.ReadAsync(today, today, default);
            if (records.Count >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, records.Count);
                return records;
            }

            await Task.Delay(20);
        }
    }
}
