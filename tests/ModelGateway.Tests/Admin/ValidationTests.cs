using System.Net;
using System.Text.Json.Nodes;

namespace ModelGateway.Tests.Admin;

/// <summary>Refused changes: RFC 9457 problem details naming every problem at once, and nothing applied.</summary>
public sealed class ValidationTests : AdminFixture
{
    [Fact]
    public async Task Every_problem_of_a_deployment_is_named_at_once()
    {
        var problem = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "bad",
            ["provider"] = "nowhere",
            ["models"] = new JsonArray("m"),
            ["price"] = new JsonObject { ["inputPerMillion"] = -1, ["outputPerMillion"] = 2 },
            ["capabilities"] = new JsonArray("chat", "telepathy"),
            ["contextWindow"] = 0,
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal(422, problem["status"]!.GetValue<int>());
        var fields = ErrorFields(problem);
        Assert.Contains("Deployments:bad:Provider", fields);
        Assert.Contains("Deployments:bad:Price", fields);
        Assert.Contains("Deployments:bad:Capabilities", fields);
        Assert.Contains("Deployments:bad:ContextWindow", fields);
        Assert.Contains("nowhere", AllErrors(problem), StringComparison.Ordinal);
        Assert.Contains("telepathy", AllErrors(problem), StringComparison.Ordinal);
        await GetAsync(Admin, "/admin/v1/deployments/bad", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_rule_naming_missing_deployments_and_keys_is_refused()
    {
        var problem = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/routes", new JsonObject
        {
            ["id"] = "r",
            ["match"] = new JsonObject { ["keys"] = new JsonArray("ghost-key"), ["sensitivity"] = new JsonArray("secret") },
            ["deployments"] = new JsonArray("qwen-sim", "ghost-deployment"),
            ["strategy"] = "random",
        }, HttpStatusCode.UnprocessableEntity);

        var text = AllErrors(problem);
        Assert.Contains("Routes:r:Deployments", ErrorFields(problem));
        Assert.Contains("Routes:r:Match:Keys", ErrorFields(problem));
        Assert.Contains("Routes:r:Match:Sensitivity", ErrorFields(problem));
        Assert.Contains("Routes:r:Strategy", ErrorFields(problem));
        Assert.Contains("ghost-deployment", text, StringComparison.Ordinal);
        Assert.Contains("ghost-key", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("(unclosed", "Sensitivity:Patterns:bad:Regex")]
    [InlineData("(a+)+\\1", "Sensitivity:Patterns:bad:Regex")] // a backreference: the linear-time engine refuses it
    [InlineData("(?<=x)y", "Sensitivity:Patterns:bad:Regex")] // lookbehind: ditto
    public async Task Invalid_or_catastrophic_regexes_are_refused(string regex, string field)
    {
        var problem = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/detectors",
            new JsonObject { ["id"] = "bad", ["regex"] = regex, ["level"] = "top-secret" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains(field, ErrorFields(problem));
        Assert.Contains("Sensitivity:Patterns:bad:Level", ErrorFields(problem));
    }

    [Fact]
    public async Task A_policy_leaving_a_level_with_no_allowed_tier_is_refused()
    {
        var problem = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/sensitivity", new JsonObject
        {
            ["levels"] = new JsonObject { ["restricted"] = new JsonObject { ["trust"] = new JsonArray() } },
        }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Sensitivity:Levels:restricted:Trust", ErrorFields(problem));
    }

    [Fact]
    public async Task Duplicate_ids_are_refused()
    {
        var existing = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "qwen-sim",
            ["provider"] = "sim",
            ["models"] = new JsonArray("x"),
            ["price"] = new JsonObject { ["inputPerMillion"] = 1, ["outputPerMillion"] = 1 },
        }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Deployments:qwen-sim", ErrorFields(existing));

        // The same id twice in one document.
        using var response = await Admin.PutAsync("/admin/v1/config", new StringContent(
            """{"providers":{"a":{"kind":"openai","baseUrl":"http://127.0.0.1:1","trust":"public"},"a":{"kind":"openai","baseUrl":"http://127.0.0.1:2","trust":"public"}}}""",
            System.Text.Encoding.UTF8, "application/json"));
        var problem = await ReadAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("providers:a", ErrorFields(problem));

        // An alias that is already a model name.
        var alias = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "qwen3", ["target"] = "qwen3" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Aliases:qwen3", ErrorFields(alias));
    }

    [Fact]
    public async Task Unknown_fields_and_wrong_types_are_named()
    {
        var problem = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/providers/sim",
            new JsonObject { ["baseUrll"] = "http://x" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("baseUrll", AllErrors(problem), StringComparison.Ordinal);

        var typed = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/deployments/qwen-sim",
            new JsonObject { ["priority"] = "high" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Deployments:qwen-sim:priority", ErrorFields(typed));

        using var broken = await Admin.PostAsync("/admin/v1/providers", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Deleting_something_still_referenced_lists_the_referrers()
    {
        await SendAsync(Admin, HttpMethod.Post, "/admin/v1/routes", new JsonObject
        {
            ["id"] = "pin-qwen",
            ["match"] = new JsonObject { ["models"] = new JsonArray("qwen3"), ["keys"] = new JsonArray("test-key") },
            ["deployments"] = new JsonArray("qwen-sim"),
        }, HttpStatusCode.Created);

        var provider = await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/providers/sim", null, HttpStatusCode.Conflict);
        Assert.Equal(["deployments/qwen-sim"], provider["referrers"]!.AsArray().Select(r => r!.GetValue<string>()));

        var deployment = await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/deployments/qwen-sim", null, HttpStatusCode.Conflict);
        Assert.Equal(["routes/pin-qwen"], deployment["referrers"]!.AsArray().Select(r => r!.GetValue<string>()));

        var key = await SendAsync(Admin, HttpMethod.Delete, "/admin/v1/keys/test-key", null, HttpStatusCode.Conflict);
        Assert.Equal(["routes/pin-qwen"], key["referrers"]!.AsArray().Select(r => r!.GetValue<string>()));

        await GetAsync(Admin, "/admin/v1/providers/sim");
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(Gateway, "qwen3"));
    }

    [Fact]
    public async Task A_credential_variable_that_is_not_set_is_named_without_any_secret()
    {
        var problem = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/providers/sim",
            new JsonObject { ["credential"] = "env:MG_TEST_NOT_SET_ANYWHERE" }, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Providers:sim:Credential", ErrorFields(problem));

        var literal = await SendAsync(Admin, HttpMethod.Patch, "/admin/v1/providers/sim",
            new JsonObject { ["credential"] = "sk-live-pasted-secret" }, HttpStatusCode.UnprocessableEntity);
        Assert.DoesNotContain("sk-live-pasted-secret", literal.ToJsonString(), StringComparison.Ordinal);
    }
}
