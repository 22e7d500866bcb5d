using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Experiments;

namespace ModelGateway.Admin;

/// <summary>
/// The experiment calls beyond the resource's CRUD: <c>POST /admin/v1/experiments/{id}/start</c> and <c>.../stop</c>
/// (a versioned, audited change of <c>enabled</c>, like any edit), and <c>GET .../report</c> (JSON, or CSV with
/// <c>?format=csv</c> or <c>Accept: text/csv</c>) over a window of the ledger's pair rows.
/// </summary>
internal static class AdminExperimentEndpoints
{
    private const int MaxPairs = 1_000_000;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(30);

    public static void MapExperiments(this RouteGroupBuilder admin)
    {
        var group = admin.MapGroup("/experiments").WithTags("experiments");
        group.MapPost("/{id}/start", (string id, HttpContext context, AdminConfigService service) => SetEnabledAsync(id, true, context, service))
            .WithName("start-experiment");
        group.MapPost("/{id}/stop", (string id, HttpContext context, AdminConfigService service) => SetEnabledAsync(id, false, context, service))
            .WithName("stop-experiment");
        group.MapGet("/{id}/report", ReportAsync).WithName("experiment-report");
        group.MapPost("/{id}/replays", StartReplayAsync).WithName("start-experiment-replay");
        group.MapGet("/{id}/replays/{replayId}", (string id, string replayId, HttpContext context, ReplayService replays) =>
            replays.Find(id, replayId) is { } run
                ? Results.Ok(run.ToJson())
                : AdminHttp.Problem(AdminFailure.NotFound($"experiments/{id}/replays/{replayId}"), context))
            .WithName("get-experiment-replay");
    }

    /// <summary>
    /// <c>POST /admin/v1/experiments/{id}/replays</c>: a JSON Lines dataset in the body (requests, or fine-tuning lines
    /// with their reference answers), run in the background; <c>202</c> with the replay's progress and its URL.
    /// </summary>
    private static async Task<Results<Accepted<JsonObject>, ProblemHttpResult>> StartReplayAsync(
        string id, HttpContext context, ModelGateway.Configuration.IGatewayConfigStore store, ReplayService replays, int? concurrency, decimal? maxSpendUsd, string? model)
    {
        var snapshot = store.Current;
        var experiment = snapshot.Config.Experiments.FirstOrDefault(e => e.Id == id);
        if (experiment is null)
        {
            return AdminHttp.Problem(AdminFailure.NotFound($"experiments/{id}"), context);
        }

        var errors = new List<string>();
        if (concurrency is < 1 or > ModelGateway.Configuration.ExperimentConfigBuilder.MaxConcurrentCalls)
        {
            errors.Add($"concurrency must be between 1 and {ModelGateway.Configuration.ExperimentConfigBuilder.MaxConcurrentCalls}.");
        }

        if (maxSpendUsd is < 0)
        {
            errors.Add("maxSpendUsd must not be negative.");
        }

        var body = await ReadDatasetAsync(context);
        if (body is null)
        {
            return AdminHttp.Problem(new AdminFailure(StatusCodes.Status413PayloadTooLarge, "Payload too large",
                $"A replay dataset is limited to {MaxDatasetBytes} bytes."), context);
        }

        var defaultModel = model ?? (experiment.Match.Models.Length == 1 ? experiment.Match.Models[0] : null);
        var lines = errors.Count == 0 ? ReplayDataset.Parse(body, defaultModel, errors) : [];
        if (errors.Count > 0)
        {
            return AdminHttp.Problem(new AdminFailure(StatusCodes.Status400BadRequest, "Invalid replay") { Errors = AdminFailure.Group(errors) }, context);
        }

        var run = replays.Start(experiment, snapshot, lines, concurrency ?? experiment.MaxConcurrentShadowCalls, maxSpendUsd);
        return TypedResults.Accepted($"{context.Request.PathBase}{AdminServices.Prefix}/experiments/{Uri.EscapeDataString(id)}/replays/{run.Id}", run.ToJson());
    }

    private const int MaxDatasetBytes = 64 * 1024 * 1024;

    private static async Task<byte[]?> ReadDatasetAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxDatasetBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxDatasetBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> SetEnabledAsync(string id, bool enabled, HttpContext context, AdminConfigService service)
    {
        var resource = AdminResources.Experiments;
        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"{(enabled ? "start" : "stop")} experiments/{id}",
            AdminResourceEndpoints.RequestId(context), AdminHttp.IsDryRun(context), document =>
            {
                var entries = resource.Entries(document);
                if (!entries.TryGetPropertyValue(id, out var existing) || existing is not JsonObject entry)
                {
                    return AdminFailure.NotFound($"experiments/{id}");
                }

                if (AdminHttp.CheckIfMatch(context, ConfigDocument.ETag(existing)) is { } precondition)
                {
                    return precondition;
                }

                var name = entry.FirstOrDefault(p => string.Equals(p.Key, "enabled", StringComparison.OrdinalIgnoreCase)).Key ?? "enabled";
                entry[name] = enabled;
                return null;
            }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

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

    private static async Task<Results<Ok<JsonObject>, ContentHttpResult, ProblemHttpResult>> ReportAsync(
        string id, HttpContext context, AdminConfigService service, ExperimentStore store, TimeProvider timeProvider,
        string? from, string? to, string? format, string? source)
    {
        var errors = new List<string>();
        var now = timeProvider.GetUtcNow();
        var start = ParseInstant("from", from, now - DefaultWindow, errors);
        var end = ParseInstant("to", to, now.AddSeconds(1), errors);
        if (errors.Count == 0 && end <= start)
        {
            errors.Add("to must be after from.");
        }

        var csv = format is "csv" || (format is null && context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase));
        if (format is not (null or "csv" or "json"))
        {
            errors.Add($"format '{format}' is not one of: json, csv.");
        }

        if (source is not (null or "live" or "replay") && !source.StartsWith("replay:", StringComparison.Ordinal))
        {
            errors.Add($"source '{source}' is not one of: live, replay, replay:<replay id>.");
        }

        if (errors.Count > 0)
        {
            return AdminHttp.Problem(new AdminFailure(StatusCodes.Status400BadRequest, "Invalid report query") { Errors = AdminFailure.Group(errors) }, context);
        }

        if (AdminResourceEndpoints.Document(context, service, out _) is not { } document)
        {
            return AdminResourceEndpoints.Unavailable(context);
        }

        var configured = AdminResources.Experiments.Entries(document).ContainsKey(id);
        var pairs = await store.PairsAsync(id, start, end, MaxPairs, source, context.RequestAborted);
        if (!configured && pairs.Count == 0)
        {
            return AdminHttp.Problem(AdminFailure.NotFound($"experiments/{id}"), context);
        }

        var report = ExperimentReport.Build(id, start, end, from is not null && to is not null, pairs, now);
        if (csv)
        {
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"experiment-{id}.csv\"";
            return TypedResults.Text(ExperimentReport.Csv(report), "text/csv", Encoding.UTF8);
        }

        return TypedResults.Ok(report);
    }

    private static DateTimeOffset ParseInstant(string name, string? value, DateTimeOffset fallback, List<string> errors)
    {
        if (value is null)
        {
            return fallback;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
        {
            return instant;
        }

        errors.Add($"{name} '{value}' must be a UTC date such as 2026-01-31 or an instant such as 2026-01-31T12:00:00Z.");
        return fallback;
    }
}
