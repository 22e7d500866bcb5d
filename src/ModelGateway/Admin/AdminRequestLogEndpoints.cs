using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Accounting;

namespace ModelGateway.Admin;

/// <summary>
/// <c>GET /admin/v1/requests</c>: the request log, newest first, one page at a time, filtered by time range, key,
/// team, model, status and outcome. For "why did this fail" and for audits; it never holds content.
/// </summary>
internal static class AdminRequestLogEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private static readonly string[] Outcomes =
        ["served", "fell_back", "rejected_quota", "rejected_policy", "upstream_error", "client_error", "client_cancelled", "gateway_error"];

    public static void MapRequestLog(this RouteGroupBuilder admin) =>
        admin.MapGet("/requests", ListAsync).WithTags("requests").WithName("request-log");

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> ListAsync(
        HttpContext context, ILedgerReports ledger, TimeProvider timeProvider,
        string? from, string? to, string? key, string? team, string? model, string? status, string? outcome, string? limit, string? cursor)
    {
        var errors = new List<string>();
        var end = ParseTime("to", to, errors) ?? timeProvider.GetUtcNow().AddMilliseconds(1);
        var start = ParseTime("from", from, errors) ?? end.AddDays(-1);
        if (errors.Count == 0 && start >= end)
        {
            errors.Add("from must be before to.");
        }

        var size = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxLimit))
        {
            errors.Add($"limit '{limit}' must be a whole number from 1 to {MaxLimit}.");
        }

        int? code = null;
        if (status is not null)
        {
            if (int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 100 and <= 599)
            {
                code = parsed;
            }
            else
            {
                errors.Add($"status '{status}' must be an HTTP status code such as 429.");
            }
        }

        if (outcome is not null && !Outcomes.Contains(outcome))
        {
            errors.Add($"outcome '{outcome}' is not one of: {string.Join(", ", Outcomes)}.");
        }

        RequestLogCursor? after = null;
        if (cursor is not null && !RequestLogCursor.TryParse(cursor, out after))
        {
            errors.Add("cursor is not one this endpoint returned (use nextCursor from the previous page).");
        }

        if (errors.Count > 0)
        {
            return AdminHttp.Problem(new AdminFailure(StatusCodes.Status400BadRequest, "Invalid request-log query") { Errors = AdminFailure.Group(errors) }, context);
        }

        var query = new RequestLogQuery(start, end, size + 1)
        {
            KeyId = key,
            TeamId = team,
            Model = model,
            Status = code,
            Outcome = outcome,
            After = after,
        };
        var rows = await ledger.RequestsAsync(query, context.RequestAborted);
        var data = new JsonArray();
        foreach (var row in rows.Take(size))
        {
            data.Add(ToJson(row));
        }

        var more = rows.Count > size;
        var last = more ? rows[size - 1] : null;
        return TypedResults.Ok(new JsonObject
        {
            ["object"] = "list",
            ["from"] = start.ToString("O", CultureInfo.InvariantCulture),
            ["to"] = end.ToString("O", CultureInfo.InvariantCulture),
            ["data"] = data,
            ["hasMore"] = more,
            ["nextCursor"] = last is null ? null : new RequestLogCursor(last.Timestamp.ToUnixTimeMilliseconds(), last.RequestId).ToString(),
        });
    }

    private static JsonObject ToJson(RequestLogEntry row) => new()
    {
        ["requestId"] = row.RequestId,
        ["timestamp"] = row.Timestamp.ToString("O", CultureInfo.InvariantCulture),
        ["decisionId"] = row.DecisionId,
        ["key"] = row.KeyId,
        ["team"] = row.TeamId.Length == 0 ? null : row.TeamId,
        ["protocol"] = row.Protocol,
        ["operation"] = row.Operation,
        ["model"] = row.Model,
        ["provider"] = Nullable(row.ProviderId),
        ["deployment"] = Nullable(row.DeploymentId),
        ["served"] = row.Served,
        ["attempts"] = row.Attempts,
        ["status"] = row.Status,
        ["outcome"] = row.Outcome,
        ["failure"] = Nullable(row.Failure),
        ["promptTokens"] = row.Usage.PromptTokens,
        ["cachedPromptTokens"] = row.Usage.CachedPromptTokens,
        ["completionTokens"] = row.Usage.CompletionTokens,
        ["reasoningTokens"] = row.Usage.ReasoningTokens,
        ["usageReported"] = row.UsageReported,
        ["costUsd"] = row.CostUsd,
        ["baselineCostUsd"] = row.BaselineCostUsd,
        ["latencyMs"] = row.LatencyMs,
        ["timeToFirstByteMs"] = row.TimeToFirstByteMs,
        ["sensitivity"] = row.Sensitivity,
        ["detectors"] = row.Detectors is null ? null : new JsonArray([.. row.Detectors.Split(',').Select(d => (JsonNode)d)]),
    };

    private static string? Nullable(string value) => value.Length == 0 ? null : value;

    /// <summary>An ISO 8601 instant with an offset (<c>2026-01-31T12:00:00Z</c>) or a UTC date (its midnight).</summary>
    internal static DateTimeOffset? ParseTime(string name, string? value, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        }

        if (value.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return instant;
        }

        errors.Add($"{name} '{value}' must be an ISO 8601 time such as 2026-01-31T12:00:00Z, or a UTC date such as 2026-01-31.");
        return null;
    }
}
