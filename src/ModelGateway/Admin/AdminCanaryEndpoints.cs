using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Configuration;
using ModelGateway.Experiments;
using ModelGateway.Routing;
using ModelGateway.Routing.Canaries;

namespace ModelGateway.Admin;

/// <summary>
/// A routing rule's guarded canary: <c>GET /admin/v1/routes/{id}/canary</c> (the share in force, the guard that
/// overrode it, the window's figures on this replica), <c>POST .../canary/rollback</c> (share 0) and
/// <c>POST .../canary/promote</c> (the candidate becomes the rule's first deployment, tried in order, and the canary
/// section goes). Both are audited changes of the configuration like any edit.
/// </summary>
internal static class AdminCanaryEndpoints
{
    public static void MapCanaries(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/routes").WithTags("routes");
        group.MapGet("/{id}/canary", Get).WithName("get-route-canary");
        group.MapPost("/{id}/canary/rollback", RollbackAsync).WithName("rollback-route-canary");
        group.MapPost("/{id}/canary/promote", PromoteAsync).WithName("promote-route-canary");
    }

    private static Results<Ok<JsonObject>, ProblemHttpResult> Get(
        string id, HttpContext context, IGatewayConfigStore store, CanaryMonitor monitor, TimeProvider timeProvider, CanarySync sync)
    {
        var rule = store.Current.Config.Routing.Rules.FirstOrDefault(r => r.Id == id);
        if (rule is null)
        {
            return AdminHttp.Problem(AdminFailure.NotFound($"routes/{id}"), context);
        }

        if (rule.Canary is null)
        {
            return AdminHttp.Problem(AdminFailure.NotFound($"routes/{id}/canary"), context);
        }

        return TypedResults.Ok(State(rule, monitor, timeProvider.GetUtcNow(), sync.IsShared));
    }

    /// <summary>The canary as this replica runs it.</summary>
    public static JsonObject State(RouteRule rule, CanaryMonitor monitor, DateTimeOffset now, bool shared)
    {
        var canary = rule.Canary!;
        var state = monitor.State(rule.Id, canary);
        var figures = state.Figures(now);
        var guards = canary.Guards;
        return new JsonObject
        {
            ["route"] = rule.Id,
            ["deployment"] = canary.Deployment,
            ["configuredPercent"] = canary.Percent,
            ["percentInForce"] = state.PercentInForce,
            ["overriddenBy"] = Breach(state.Override),
            ["lastBreach"] = Breach(monitor.LastBreach(rule.Id)),
            ["shared"] = shared,
            ["guards"] = new JsonObject
            {
                ["maxErrorRate"] = guards.MaxErrorRate,
                ["maxP95LatencyMs"] = guards.MaxP95LatencyMs,
                ["maxTtftMs"] = guards.MaxTtftMs,
                ["minAgreement"] = guards.MinAgreement,
                ["window"] = guards.Window.ToString("c", CultureInfo.InvariantCulture),
                ["minRequests"] = guards.MinRequests,
            },
            ["window"] = new JsonObject
            {
                ["requests"] = figures.Requests,
                ["errors"] = figures.Errors,
                ["errorRate"] = figures.ErrorRate,
                ["p95LatencyMs"] = figures.P95LatencyMs,
                ["p95TtftMs"] = figures.P95TtftMs,
                ["pairs"] = figures.Pairs,
                ["agreement"] = figures.Agreement,
            },
        };
    }

    private static JsonObject? Breach(CanaryOverride? breach) => breach is null ? null : new JsonObject
    {
        ["guard"] = breach.Guard,
        ["figure"] = breach.Figure,
        ["limit"] = breach.Limit,
        ["count"] = breach.Count,
        ["deployment"] = breach.Deployment,
        ["at"] = breach.At,
        ["replica"] = breach.Replica,
        ["cleared"] = breach.Cleared,
    };

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> RollbackAsync(string id, HttpContext context, AdminConfigService service) =>
        WriteAsync(id, "rollback", context, service, (_, canary) =>
        {
            CanaryDocument.SetPercent(canary, 0);
            return null;
        });

    private static Task<Results<Ok<JsonObject>, ProblemHttpResult>> PromoteAsync(string id, HttpContext context, AdminConfigService service, IGatewayConfigStore store) =>
        WriteAsync(id, "promote", context, service, (route, canary) =>
        {
            var candidate = CanaryDocument.Deployment(canary);
            var deploymentsName = CanaryDocument.Name(route, "deployments");
            var current = (route[deploymentsName] as JsonArray ?? []).Select(d => d?.GetValue<string>()).OfType<string>().ToList();
            if (current.Count == 0)
            {
                // The rule took the requested model's deployments: name them now, in their priority order.
                var match = route[CanaryDocument.Name(route, "match")] as JsonObject;
                var models = (match?[CanaryDocument.Name(match, "models")] as JsonArray ?? []).Select(m => m?.GetValue<string>()).OfType<string>().ToList();
                if (models.Count == 0)
                {
                    return new AdminFailure(StatusCodes.Status409Conflict, "Cannot promote",
                        $"routes/{id} matches no models and names no deployments: list its deployments before promoting its canary.");
                }

                current = [.. models.SelectMany(m => store.Current.DeploymentsFor(m)).Select(d => d.Config.Id).Distinct()];
            }

            route[deploymentsName] = new JsonArray([.. new[] { candidate! }.Concat(current.Where(d => d != candidate)).Select(d => (JsonNode)d)]);
            route[CanaryDocument.Name(route, "strategy")] = "ordered";
            route.Remove(CanaryDocument.Name(route, "canary"));
            return null;
        });

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> WriteAsync(
        string id, string verb, HttpContext context, AdminConfigService service, Func<JsonObject, JsonObject, AdminFailure?> edit)
    {
        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"{verb} routes/{id}/canary",
            AdminResourceEndpoints.RequestId(context), AdminHttp.IsDryRun(context), document =>
            {
                if (CanaryDocument.Find(document, id, out var route, out var canary) is { } missing)
                {
                    return missing;
                }

                return AdminHttp.CheckIfMatch(context, ConfigDocument.ETag(route)) ?? edit(route, canary);
            }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        var resource = AdminResources.Routes;
        if (!write.Applied)
        {
            return TypedResults.Ok(AdminResourceEndpoints.DryRunBody(write, resource, id));
        }

        var stored = resource.Entries(write.Document)[id]!;
        context.Response.Headers.ETag = ConfigDocument.ETag(stored);
        context.Response.Headers[AdminHttp.VersionHeader] = write.Revision.Version.ToString(CultureInfo.InvariantCulture);
        var representation = resource.Represent(id, stored);
        representation["etag"] = ConfigDocument.ETag(stored);
        return TypedResults.Ok(representation);
    }
}
