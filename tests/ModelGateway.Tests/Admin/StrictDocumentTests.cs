using System.Net;
using System.Text.Json.Nodes;

namespace ModelGateway.Tests.Admin;

/// <summary>Admin writes and imports are held to the file's rules: every unknown field and wrong type at once, with its path as written.</summary>
public sealed class StrictDocumentTests : AdminFixture
{
    [Fact]
    public async Task A_resource_with_wrong_types_and_a_misspelled_field_names_every_problem()
    {
        var problem = await SendAsync(Admin, HttpMethod.Post, "/admin/v1/deployments", new JsonObject
        {
            ["id"] = "typo",
            ["provider"] = "sim",
            ["models"] = new JsonArray("m"),
            ["price"] = new JsonObject { ["inputPerMillion"] = 1, ["outputPerMillion"] = "cheap" },
            ["contextWindow"] = "32k",
            ["capabilites"] = new JsonArray("tools"),
        }, HttpStatusCode.UnprocessableEntity);

        var fields = ErrorFields(problem);
        Assert.Contains("Deployments:typo:contextWindow", fields);
        Assert.Contains("Deployments:typo:capabilites", fields);
        Assert.Contains("Deployments:typo:price:outputPerMillion", fields);
        Assert.Contains("32k", AllErrors(problem), StringComparison.Ordinal);
        Assert.Contains("is not an integer", AllErrors(problem), StringComparison.Ordinal);
        await GetAsync(Admin, "/admin/v1/deployments/typo", HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_import_with_a_mistyped_rule_is_refused_instead_of_losing_the_rule()
    {
        var current = await GetAsync(Admin, "/admin/v1/config", HttpStatusCode.OK);
        var document = current["document"]!.DeepClone().AsObject();
        document["routes"] = new JsonObject
        {
            ["keep-local"] = new JsonObject { ["order"] = "ten", ["deployments"] = new JsonArray("qwen-sim") },
        };
        document["fallback"] = new JsonObject { ["timeBudget"] = "50.00:00:00" };

        var problem = await SendAsync(Admin, HttpMethod.Put, "/admin/v1/config", new JsonObject { ["document"] = document },
            HttpStatusCode.UnprocessableEntity);

        Assert.Contains("routes:keep-local:order", ErrorFields(problem));
        Assert.Contains("fallback:timeBudget", ErrorFields(problem));
        Assert.Contains("maximum", AllErrors(problem), StringComparison.Ordinal);
    }
}
