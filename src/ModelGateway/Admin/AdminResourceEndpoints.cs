using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Pipeline;

namespace ModelGateway.Admin;

/// <summary>
/// List, get, create, replace, patch and delete for each <see cref="AdminResource"/>. Every write goes through
/// <see cref="AdminConfigService.UpdateAsync"/>: whole-document validation, If-Match, audit, publish.
/// </summary>
internal static class AdminResourceEndpoints
{
    public static void MapResource(this RouteGroupBuilder admin, AdminResource resource)
    {
        var group = admin.MapGroup("/" + resource.Name).WithTags(resource.Name);
        group.MapGet("", (HttpContext context, AdminConfigService service) => List(context, service, resource))
            .WithName($"list-{resource.Name}");
        group.MapGet("/{id}", (string id, HttpContext context, AdminConfigService service) => Get(id, context, service, resource))
            .WithName($"get-{resource.Name}");
        group.MapPost("", (HttpContext context, AdminConfigService service) => CreateAsync(context, service, resource))
            .WithName($"create-{resource.Name}");
        group.MapPut("/{id}", (string id, HttpContext context, AdminConfigService service) => ReplaceAsync(id, context, service, resource))
            .WithName($"replace-{resource.Name}");
        group.MapPatch("/{id}", (string id, HttpContext context, AdminConfigService service) => PatchAsync(id, context, service, resource))
            .WithName($"patch-{resource.Name}");
        group.MapDelete("/{id}", (string id, HttpContext context, AdminConfigService service) => DeleteAsync(id, context, service, resource))
            .WithName($"delete-{resource.Name}");
    }

    private static Results<Ok<JsonObject>, ProblemHttpResult> List(HttpContext context, AdminConfigService service, AdminResource resource)
    {
        if (Document(context, service, out var revision) is not { } document)
        {
            return Unavailable(context);
        }

        var data = new JsonArray();
        foreach (var (id, entry) in resource.Entries(document).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            data.Add(Representation(resource, id, entry!));
        }

        return TypedResults.Ok(new JsonObject { ["object"] = "list", ["version"] = revision!.Version, ["data"] = data });
    }

    private static Results<Ok<JsonObject>, ProblemHttpResult> Get(string id, HttpContext context, AdminConfigService service, AdminResource resource)
    {
        if (Document(context, service, out _) is not { } document)
        {
            return Unavailable(context);
        }

        if (!resource.Entries(document).TryGetPropertyValue(id, out var entry) || entry is null)
        {
            return AdminHttp.Problem(AdminFailure.NotFound($"{resource.Name}/{id}"), context);
        }

        context.Response.Headers.ETag = ConfigDocument.ETag(entry);
        return TypedResults.Ok(Representation(resource, id, entry));
    }

    private static async Task<Results<Created<JsonObject>, Ok<JsonObject>, ProblemHttpResult>> CreateAsync(
        HttpContext context, AdminConfigService service, AdminResource resource)
    {
        var (body, failure) = await AdminHttp.ReadObjectAsync(context);
        if (body is null)
        {
            return AdminHttp.Problem(failure!, context);
        }

        var id = (body["id"] as JsonValue)?.TryGetValue<string>(out var text) == true ? text : null;
        if (id is null || !AdminHttp.IdPattern().IsMatch(id))
        {
            return AdminHttp.Problem(AdminFailure.Invalid([$"id '{id}' is required: 1-128 letters, digits or . _ : -, starting with a letter or digit."]), context);
        }

        // A new client key without a hash gets a generated secret, returned in this response only.
        string? secret = null;
        if (resource == AdminResources.Keys && !body.Any(p => p.Key.Equals("sha256", StringComparison.OrdinalIgnoreCase)))
        {
            secret = AdminKeyRotationEndpoint.NewSecret();
            body["sha256"] = ClientAuthenticationMiddleware.HashKey(secret);
        }

        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"create {resource.Name}/{id}", RequestId(context),
            AdminHttp.IsDryRun(context), document =>
            {
                var entries = resource.Entries(document, create: true);
                if (entries.ContainsKey(id))
                {
                    return AdminFailure.Invalid([$"{resource.ErrorPrefix}:{id} duplicate id: '{id}' already exists; use PUT or PATCH to change it."]);
                }

                var errors = new List<string>();
                var entry = resource.ToEntry(AdminResource.Input(body), id, errors);
                if (entry is null)
                {
                    return AdminFailure.Invalid(errors);
                }

                entries[id] = entry;
                return null;
            }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        if (!write.Applied)
        {
            return TypedResults.Ok(DryRunBody(write, resource, id));
        }

        var entryNode = resource.Entries(write.Document)[id]!;
        var representation = Representation(resource, id, entryNode);
        if (secret is not null)
        {
            representation["secret"] = secret;
        }

        Stamp(context, write.Revision, entryNode);
        return TypedResults.Created($"{context.Request.PathBase}{context.Request.Path}/{Uri.EscapeDataString(id)}", representation);
    }

    private static async Task<Results<Created<JsonObject>, Ok<JsonObject>, ProblemHttpResult>> ReplaceAsync(
        string id, HttpContext context, AdminConfigService service, AdminResource resource)
    {
        var (body, failure) = await AdminHttp.ReadObjectAsync(context);
        if (body is null)
        {
            return AdminHttp.Problem(failure!, context);
        }

        if (!AdminHttp.IdPattern().IsMatch(id) || IdMismatch(body, id))
        {
            return AdminHttp.Problem(AdminFailure.Invalid([$"id '{id}' must be a valid id, and the body's id (if any) must equal the URL's."]), context);
        }

        var existed = false;
        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"replace {resource.Name}/{id}", RequestId(context),
            AdminHttp.IsDryRun(context), document =>
            {
                var entries = resource.Entries(document, create: true);
                var existing = entries.TryGetPropertyValue(id, out var node) ? node : null;
                existed = existing is not null;
                if (AdminHttp.CheckIfMatch(context, existing is null ? null : ConfigDocument.ETag(existing)) is { } precondition)
                {
                    return precondition;
                }

                var input = AdminResource.Input(body);
                foreach (var field in resource.WriteOnly)
                {
                    // Write-only fields are never shown, so a read-modify-write keeps them unless it sets them.
                    if (!input.Any(p => p.Key.Equals(field, StringComparison.OrdinalIgnoreCase)) && existing?[field] is { } kept)
                    {
                        input[field] = kept.DeepClone();
                    }
                }

                var errors = new List<string>();
                var entry = resource.ToEntry(input, id, errors);
                if (entry is null)
                {
                    return AdminFailure.Invalid(errors);
                }

                entries[id] = entry;
                return null;
            }, context.RequestAborted);
        return Written(context, result, resource, id, created: !existed);
    }

    private static async Task<Results<Created<JsonObject>, Ok<JsonObject>, ProblemHttpResult>> PatchAsync(
        string id, HttpContext context, AdminConfigService service, AdminResource resource)
    {
        var (body, failure) = await AdminHttp.ReadObjectAsync(context);
        if (body is null)
        {
            return AdminHttp.Problem(failure!, context);
        }

        if (IdMismatch(body, id))
        {
            return AdminHttp.Problem(AdminFailure.Invalid([$"id: a resource cannot be renamed; create '{body["id"]}' and delete '{id}' instead."]), context);
        }

        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"patch {resource.Name}/{id}", RequestId(context),
            AdminHttp.IsDryRun(context), document =>
            {
                var entries = resource.Entries(document);
                if (!entries.TryGetPropertyValue(id, out var existing) || existing is null)
                {
                    return AdminFailure.NotFound($"{resource.Name}/{id}");
                }

                if (AdminHttp.CheckIfMatch(context, ConfigDocument.ETag(existing)) is { } precondition)
                {
                    return precondition;
                }

                var editable = resource.ToEditable(existing);
                AdminHttp.MergePatch(editable, AdminResource.Input(body));
                var errors = new List<string>();
                var entry = resource.ToEntry(editable, id, errors);
                if (entry is null)
                {
                    return AdminFailure.Invalid(errors);
                }

                entries[id] = entry;
                return null;
            }, context.RequestAborted);
        return Written(context, result, resource, id, created: false);
    }

    private static async Task<Results<NoContent, Ok<JsonObject>, ProblemHttpResult>> DeleteAsync(
        string id, HttpContext context, AdminConfigService service, AdminResource resource)
    {
        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"delete {resource.Name}/{id}", RequestId(context),
            AdminHttp.IsDryRun(context), document =>
            {
                var entries = resource.Entries(document);
                if (!entries.TryGetPropertyValue(id, out var existing) || existing is null)
                {
                    return AdminFailure.NotFound($"{resource.Name}/{id}");
                }

                if (AdminHttp.CheckIfMatch(context, ConfigDocument.ETag(existing)) is { } precondition)
                {
                    return precondition;
                }

                var options = ConfigDocument.ToOptions<GatewayOptions>(document, "", []);
                var referrers = options is null ? [] : resource.Referrers(options, id).ToList();
                if (referrers.Count > 0)
                {
                    return new AdminFailure(StatusCodes.Status409Conflict, "Still referenced",
                        $"{resource.Name}/{id} is referred to by {string.Join(", ", referrers)}; change or delete those first.")
                    {
                        Referrers = referrers,
                    };
                }

                entries.Remove(id);
                return null;
            }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        if (!write.Applied)
        {
            return TypedResults.Ok(DryRunBody(write, resource, id));
        }

        context.Response.Headers[AdminHttp.VersionHeader] = write.Revision.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.NoContent();
    }

    private static Results<Created<JsonObject>, Ok<JsonObject>, ProblemHttpResult> Written(
        HttpContext context, AdminWriteResult result, AdminResource resource, string id, bool created)
    {
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        if (!write.Applied && AdminHttp.IsDryRun(context))
        {
            return TypedResults.Ok(DryRunBody(write, resource, id));
        }

        var entry = resource.Entries(write.Document)[id]!;
        Stamp(context, write.Revision, entry);
        var representation = Representation(resource, id, entry);
        return created
            ? TypedResults.Created($"{context.Request.PathBase}{context.Request.Path}", representation)
            : TypedResults.Ok(representation);
    }

    internal static JsonObject DryRunBody(AdminWrite write, AdminResource? resource, string? id)
    {
        var body = new JsonObject
        {
            ["dryRun"] = true,
            ["valid"] = true,
            ["version"] = write.Revision.Version,
            ["changes"] = AdminHttp.ChangesJson(write.Changes),
        };
        if (resource is not null && id is not null && resource.Entries(write.Document)[id] is { } entry)
        {
            body["resource"] = Representation(resource, id, entry);
        }

        return body;
    }

    internal static JsonObject? Document(HttpContext context, AdminConfigService service, out ConfigRevision? revision)
    {
        revision = service.Current;
        if (revision is null)
        {
            return null;
        }

        context.Response.Headers[AdminHttp.VersionHeader] = revision.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return JsonNode.Parse(revision.Document)!.AsObject();
    }

    internal static ProblemHttpResult Unavailable(HttpContext context) => AdminHttp.Problem(
        new AdminFailure(StatusCodes.Status503ServiceUnavailable, "Configuration store unavailable", "The configuration store has not been read yet."), context);

    internal static string? RequestId(HttpContext context) => context.Features.Get<GatewayRequestFeature>()?.RequestId;

    private static JsonObject Representation(AdminResource resource, string id, JsonNode entry)
    {
        var representation = resource.Represent(id, entry);
        representation["etag"] = ConfigDocument.ETag(entry);
        return representation;
    }

    private static void Stamp(HttpContext context, ConfigRevision revision, JsonNode entry)
    {
        context.Response.Headers.ETag = ConfigDocument.ETag(entry);
        context.Response.Headers[AdminHttp.VersionHeader] = revision.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IdMismatch(JsonObject body, string id) =>
        body["id"] is JsonValue value && (!value.TryGetValue<string>(out var bodyId) || bodyId != id);
}
