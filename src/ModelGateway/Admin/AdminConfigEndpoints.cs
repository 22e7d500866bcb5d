using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Routing;
using ModelGateway.Sensitivity;

namespace ModelGateway.Admin;

/// <summary>
/// The whole document: read it, replace it, list its versions and audit entries, restore a version, and the
/// sensitivity and fallback sections as single resources.
/// </summary>
internal static class AdminConfigEndpoints
{
    public static void MapConfig(this RouteGroupBuilder admin)
    {
        var config = admin.MapGroup("/config").WithTags("config");
        config.MapGet("", Get).WithName("get-config");
        config.MapPut("", ReplaceAsync).WithName("replace-config");
        config.MapGet("/versions/{version:long}", GetVersionAsync).WithName("get-config-version");
        config.MapPost("/versions/{version:long}/restore", RestoreAsync).WithName("restore-config-version");
        config.MapPost("/dry-run", AdminDryRun.RunAsync).WithName("dry-run");
        admin.MapGet("/audit", AuditAsync).WithTags("config").WithName("list-audit");

        admin.MapSection<SensitivityOptions>("sensitivity", "Sensitivity");
        admin.MapSection<FallbackOptions>("fallback", "Fallback");
    }

    private static Results<Ok<JsonObject>, ProblemHttpResult> Get(HttpContext context, AdminConfigService service)
    {
        if (AdminResourceEndpoints.Document(context, service, out var revision) is not { } document)
        {
            return AdminResourceEndpoints.Unavailable(context);
        }

        context.Response.Headers.ETag = ConfigDocument.VersionETag(revision!.Version);
        return TypedResults.Ok(new JsonObject { ["version"] = revision.Version, ["document"] = Present(document) });
    }

    /// <summary>Replaces the whole document (an import). Credentials and key hashes left out keep their current values.</summary>
    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ReplaceAsync(HttpContext context, AdminConfigService service)
    {
        var (body, failure) = await AdminHttp.ReadObjectAsync(context);
        if (body is null)
        {
            return AdminHttp.Problem(failure!, context);
        }

        var incoming = body["document"] as JsonObject ?? body;
        return await WriteDocumentAsync(context, service, "replace config", current =>
        {
            var next = incoming.DeepClone().AsObject();
            KeepWriteOnly(current, next, AdminResources.Providers);
            KeepWriteOnly(current, next, AdminResources.Keys);
            return next;
        });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> GetVersionAsync(long version, HttpContext context, AdminConfigService service)
    {
        var revision = await service.Store.ReadVersionAsync(version, context.RequestAborted);
        if (revision is null)
        {
            return AdminHttp.Problem(AdminFailure.NotFound($"configuration version {version}"), context);
        }

        context.Response.Headers.ETag = ConfigDocument.VersionETag(revision.Version);
        return TypedResults.Ok(new JsonObject
        {
            ["version"] = revision.Version,
            ["audit"] = JsonSerializer.SerializeToNode(ConfigDiff.Redact(revision.Audit), ConfigDocument.Storage),
            ["document"] = Present(JsonNode.Parse(revision.Document)!.AsObject()),
        });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RestoreAsync(long version, HttpContext context, AdminConfigService service)
    {
        var revision = await service.Store.ReadVersionAsync(version, context.RequestAborted);
        if (revision is null)
        {
            return AdminHttp.Problem(AdminFailure.NotFound($"configuration version {version}"), context);
        }

        var restored = JsonNode.Parse(revision.Document)!.AsObject();
        return await WriteDocumentAsync(context, service, $"restore version {version}", _ => restored.DeepClone().AsObject());
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> AuditAsync(
        HttpContext context, AdminConfigService service, long? before, int? limit)
    {
        var entries = await service.Store.ReadAuditAsync(before, Math.Clamp(limit ?? 50, 1, 1000), context.RequestAborted);
        return TypedResults.Ok(new JsonObject
        {
            ["object"] = "list",
            ["data"] = JsonSerializer.SerializeToNode(entries.Select(ConfigDiff.Redact).ToList(), ConfigDocument.Storage),
        });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> WriteDocumentAsync(
        HttpContext context, AdminConfigService service, string action, Func<JsonObject, JsonObject> next)
    {
        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), action, AdminResourceEndpoints.RequestId(context),
            AdminHttp.IsDryRun(context), document =>
            {
                if (AdminHttp.CheckIfMatch(context, ConfigDocument.VersionETag(service.Current!.Version)) is { } precondition)
                {
                    return precondition;
                }

                var replacement = next(document);
                document.Clear();
                foreach (var (name, value) in replacement.ToList())
                {
                    replacement.Remove(name);
                    document[name] = value;
                }

                return null;
            }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        if (!write.Applied && AdminHttp.IsDryRun(context))
        {
            return TypedResults.Ok(AdminResourceEndpoints.DryRunBody(write, null, null));
        }

        context.Response.Headers.ETag = ConfigDocument.VersionETag(write.Revision.Version);
        context.Response.Headers[AdminHttp.VersionHeader] = write.Revision.Version.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(new JsonObject
        {
            ["version"] = write.Revision.Version,
            ["changes"] = AdminHttp.ChangesJson(write.Changes),
        });
    }

    /// <summary>A single-object section (sensitivity policy, fallback): get, replace, patch.</summary>
    private static void MapSection<T>(this RouteGroupBuilder admin, string name, string errorPrefix)
        where T : class
    {
        var group = admin.MapGroup("/" + name).WithTags(name);
        group.MapGet("", (HttpContext context, AdminConfigService service) =>
        {
            if (AdminResourceEndpoints.Document(context, service, out _) is not { } document)
            {
                return (Results<Ok<JsonObject>, ProblemHttpResult>)AdminResourceEndpoints.Unavailable(context);
            }

            var section = document[name] as JsonObject ?? new JsonObject();
            context.Response.Headers.ETag = ConfigDocument.ETag(section);
            return TypedResults.Ok(section);
        }).WithName($"get-{name}");
        group.MapPut("", (HttpContext context, AdminConfigService service) => WriteSectionAsync<T>(context, service, name, errorPrefix, patch: false))
            .WithName($"replace-{name}");
        group.MapPatch("", (HttpContext context, AdminConfigService service) => WriteSectionAsync<T>(context, service, name, errorPrefix, patch: true))
            .WithName($"patch-{name}");
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> WriteSectionAsync<T>(
        HttpContext context, AdminConfigService service, string name, string errorPrefix, bool patch)
        where T : class
    {
        var (body, failure) = await AdminHttp.ReadObjectAsync(context);
        if (body is null)
        {
            return AdminHttp.Problem(failure!, context);
        }

        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"{(patch ? "patch" : "replace")} {name}",
            AdminResourceEndpoints.RequestId(context), AdminHttp.IsDryRun(context), document =>
            {
                var current = document[name] as JsonObject ?? new JsonObject();
                if (AdminHttp.CheckIfMatch(context, ConfigDocument.ETag(current)) is { } precondition)
                {
                    return precondition;
                }

                var edited = patch ? current.DeepClone().AsObject() : new JsonObject();
                AdminHttp.MergePatch(edited, AdminResource.Input(body));
                var errors = new List<string>();
                var section = ConfigDocument.Canonical<T>(edited, errorPrefix, errors);
                if (section is null)
                {
                    return AdminFailure.Invalid(errors);
                }

                document[name] = section;
                return null;
            }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        if (!write.Applied && AdminHttp.IsDryRun(context))
        {
            return TypedResults.Ok(AdminResourceEndpoints.DryRunBody(write, null, null));
        }

        var written = write.Document[name] as JsonObject ?? new JsonObject();
        context.Response.Headers.ETag = ConfigDocument.ETag(written);
        context.Response.Headers[AdminHttp.VersionHeader] = write.Revision.Version.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Ok(written.DeepClone().AsObject());
    }

    /// <summary>The document as shown: credentials and key hashes removed, connection strings redacted.</summary>
    internal static JsonObject Present(JsonObject document)
    {
        ConnectionStringSecrets.RedactDocument(document);
        foreach (var resource in (AdminResource[])[AdminResources.Providers, AdminResources.Keys])
        {
            var entries = resource.Entries(document);
            foreach (var (id, entry) in entries.ToList())
            {
                var shown = resource.Represent(id, entry!);
                shown.Remove("id");
                entries[id] = shown;
            }
        }

        return document;
    }

    private static void KeepWriteOnly(JsonObject current, JsonObject next, AdminResource resource)
    {
        var entries = resource.Entries(next);
        var existing = resource.Entries(current);
        foreach (var (id, entry) in entries.ToList())
        {
            if (entry is not JsonObject fields)
            {
                continue;
            }

            foreach (var field in resource.WriteOnly)
            {
                if (!fields.Any(p => p.Key.Equals(field, StringComparison.OrdinalIgnoreCase)) && existing[id]?[field] is { } kept)
                {
                    fields[field] = kept.DeepClone();
                }
            }

            var shownOnly = fields.Where(p => p.Key.Equals("credentialConfigured", StringComparison.OrdinalIgnoreCase)
                || p.Key.Equals("effectiveTrainingUse", StringComparison.OrdinalIgnoreCase)
                || p.Key.Equals("etag", StringComparison.OrdinalIgnoreCase)).Select(p => p.Key).ToList();
            foreach (var name in shownOnly)
            {
                fields.Remove(name);
            }
        }
    }
}
