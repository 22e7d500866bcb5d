using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Capture;
using ModelGateway.Configuration;
using ModelGateway.Sensitivity;

namespace ModelGateway.Admin;

/// <summary>
/// The captured distillation dataset (docs/capture.md): <c>GET /admin/v1/captures/export</c> streams it as JSONL in
/// the OpenAI chat fine-tuning format, <c>GET /admin/v1/captures/manifest</c> counts what the same filters select,
/// <c>DELETE /admin/v1/captures?key=|team=</c> removes a key's or team's pairs. The export holds prompts and answers:
/// a read-only admin key may read the manifest, not the content.
/// </summary>
internal static partial class AdminCaptureEndpoints
{
    private const int PageSize = 500;
    private const string JsonLines = "application/jsonl; charset=utf-8";
    private static readonly string[] SelectionParameters = ["from", "to", "key", "team", "model", "maxLevel"];
    private static readonly string[] DeletionParameters = ["key", "team"];

    public static void MapCaptures(this RouteGroupBuilder admin)
    {
        admin.MapGet("/captures/export", ExportAsync).WithTags("captures").WithName("capture-export");
        admin.MapGet("/captures/manifest", ManifestAsync).WithTags("captures").WithName("capture-manifest");
        admin.MapDelete("/captures", DeleteAsync).WithTags("captures").WithName("capture-delete");
    }

    private static Results<PushStreamHttpResult, ProblemHttpResult> ExportAsync(
        HttpContext context, CaptureStore store, AdminKeys keys, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        if (keys.Find(context.Request.Headers.Authorization.ToString()) is { ReadOnly: true } key)
        {
            return AdminHttp.Problem(new AdminFailure(StatusCodes.Status403Forbidden, "Forbidden",
                $"Admin key '{key.Id}' is read-only; the export holds prompts and answers. The manifest is readable."), context);
        }

        if (Selection(context, timeProvider) is not ({ } query, _))
        {
            return SelectionProblem(context, timeProvider);
        }

        var logger = loggers.CreateLogger(typeof(AdminCaptureEndpoints));
        var actor = AdminAuthorizationFilter.Actor(context);
        return TypedResults.Stream(
            async stream =>
            {
                var newline = "\n"u8.ToArray();
                var written = 0L;
                (DateTimeOffset, string)? after = null;
                while (true)
                {
                    var page = await store.PageAsync(query, after, PageSize, context.RequestAborted);
                    foreach (var (_, _, record) in page)
                    {
                        await stream.WriteAsync(Encoding.UTF8.GetBytes(record), context.RequestAborted);
                        await stream.WriteAsync(newline, context.RequestAborted);
                    }

                    written += page.Count;
                    await stream.FlushAsync(context.RequestAborted);
                    if (page.Count < PageSize)
                    {
                        break;
                    }

                    after = (page[^1].Timestamp, page[^1].RequestId);
                }

                LogExported(logger, actor, written, Describe(query));
            },
            JsonLines,
            "captures.jsonl");
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ManifestAsync(
        HttpContext context, CaptureStore store, IGatewayConfigStore config, TimeProvider timeProvider)
    {
        if (Selection(context, timeProvider) is not ({ } query, _))
        {
            return SelectionProblem(context, timeProvider);
        }

        var manifest = await store.ManifestAsync(query, context.RequestAborted);
        var settings = config.Current.Config.Capture;
        return TypedResults.Ok(new JsonObject
        {
            ["object"] = "capture.manifest",
            ["format"] = "openai-chat-fine-tuning",
            ["filters"] = new JsonObject
            {
                ["from"] = Time(query.From),
                ["to"] = Time(query.To),
                ["key"] = query.KeyId,
                ["team"] = query.TeamId,
                ["model"] = query.Model,
                ["maxLevel"] = SensitivityNames.Name(query.MaxLevel),
            },
            ["records"] = manifest.Records,
            ["bytes"] = manifest.Bytes,
            ["redactedRecords"] = manifest.Redacted,
            ["recordsWithToolCalls"] = manifest.WithToolCalls,
            ["firstCapturedAt"] = manifest.First is { } first ? Time(first) : null,
            ["lastCapturedAt"] = manifest.Last is { } last ? Time(last) : null,
            ["byModel"] = Counts(manifest.ByModel),
            ["byDeployment"] = Counts(manifest.ByDeployment),
            ["byLevel"] = Counts(manifest.ByLevel),
            ["byKey"] = Counts(manifest.ByKey),
            ["capture"] = new JsonObject
            {
                ["maxSensitivity"] = SensitivityNames.Name(settings.MaxLevel),
                ["redact"] = settings.Redact,
                ["retentionDays"] = settings.RetentionDays,
            },
            ["export"] = "/admin/v1/captures/export" + QueryString(query),
        });
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> DeleteAsync(
        HttpContext context, CaptureStore store, ILoggerFactory loggers, string? key, string? team)
    {
        var errors = Unknown(context, DeletionParameters);
        if (string.IsNullOrEmpty(key) && string.IsNullOrEmpty(team))
        {
            errors.Add("key or team is required: DELETE /admin/v1/captures?key=ID deletes a key's captured pairs, ?team=ID a team's.");
        }

        if (errors.Count > 0)
        {
            return AdminHttp.Problem(new AdminFailure(StatusCodes.Status400BadRequest, "Invalid capture deletion") { Errors = AdminFailure.Group(errors) }, context);
        }

        var keyId = string.IsNullOrEmpty(key) ? null : key;
        var teamId = string.IsNullOrEmpty(team) ? null : team;
        var deleted = await store.DeleteAsync(keyId, teamId, context.RequestAborted);
        LogDeleted(loggers.CreateLogger(typeof(AdminCaptureEndpoints)), AdminAuthorizationFilter.Actor(context), deleted, keyId ?? "-", teamId ?? "-");
        return TypedResults.Ok(new JsonObject { ["object"] = "capture.deletion", ["key"] = keyId, ["team"] = teamId, ["deleted"] = deleted });
    }

    /// <summary>The export's or manifest's selection from the query string; null with the problems in the second item.</summary>
    private static (CaptureQuery? Query, List<string> Errors) Selection(HttpContext context, TimeProvider timeProvider)
    {
        var query = context.Request.Query;
        var errors = Unknown(context, SelectionParameters);
        var to = AdminRequestLogEndpoints.ParseTime("to", Single(query, "to"), errors) ?? timeProvider.GetUtcNow().AddMilliseconds(1);
        var from = AdminRequestLogEndpoints.ParseTime("from", Single(query, "from"), errors) ?? DateTimeOffset.UnixEpoch;
        if (errors.Count == 0 && from >= to)
        {
            errors.Add("from must be before to.");
        }

        var maxLevel = SensitivityLevel.Restricted;
        if (Single(query, "maxLevel") is { } level && !SensitivityNames.TryParse(level, out maxLevel))
        {
            errors.Add($"maxLevel '{level}' is not a level (public, internal, confidential, restricted).");
        }

        foreach (var name in SelectionParameters)
        {
            if (query.TryGetValue(name, out var values) && values.Count > 1)
            {
                errors.Add($"{name} is given {values.Count} times; give it once.");
            }
        }

        return errors.Count > 0
            ? (null, errors)
            : (new CaptureQuery(from, to) { KeyId = Single(query, "key"), TeamId = Single(query, "team"), Model = Single(query, "model"), MaxLevel = maxLevel }, errors);
    }

    private static ProblemHttpResult SelectionProblem(HttpContext context, TimeProvider timeProvider) =>
        AdminHttp.Problem(new AdminFailure(StatusCodes.Status400BadRequest, "Invalid capture selection")
        {
            Errors = AdminFailure.Group(Selection(context, timeProvider).Errors),
        }, context);

    /// <summary>Query parameters the endpoint does not know: a typo must not widen an export or a deletion.</summary>
    private static List<string> Unknown(HttpContext context, string[] known) =>
        [.. context.Request.Query.Keys.Where(name => !known.Contains(name, StringComparer.Ordinal))
            .Select(name => $"{name} is not a parameter of this endpoint; the parameters are {string.Join(", ", known)}.")];

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    private static JsonObject Counts(IReadOnlyList<(string Name, long Records)> groups)
    {
        var counts = new JsonObject();
        foreach (var (name, records) in groups)
        {
            counts[name] = records;
        }

        return counts;
    }

    private static string Time(DateTimeOffset value) => value.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static string QueryString(CaptureQuery query)
    {
        var parts = new List<string> { "from=" + Uri.EscapeDataString(Time(query.From)), "to=" + Uri.EscapeDataString(Time(query.To)) };
        if (query.KeyId is { } key)
        {
            parts.Add("key=" + Uri.EscapeDataString(key));
        }

        if (query.TeamId is { } team)
        {
            parts.Add("team=" + Uri.EscapeDataString(team));
        }

        if (query.Model is { } model)
        {
            parts.Add("model=" + Uri.EscapeDataString(model));
        }

        parts.Add("maxLevel=" + SensitivityNames.Name(query.MaxLevel));
        return "?" + string.Join('&', parts);
    }

    private static string Describe(CaptureQuery query) => QueryString(query)[1..];

    [LoggerMessage(EventId = 2755, Level = LogLevel.Information, Message = "Capture export by {Actor}: {Count} records ({Filters})")]
    private static partial void LogExported(ILogger logger, string actor, long count, string filters);

    [LoggerMessage(EventId = 2756, Level = LogLevel.Information, Message = "Capture deletion by {Actor}: {Count} pairs of key {Key}, team {Team}")]
    private static partial void LogDeleted(ILogger logger, string actor, long count, string key, string team);
}
