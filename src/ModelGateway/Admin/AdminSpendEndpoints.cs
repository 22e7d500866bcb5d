using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Accounting;

namespace ModelGateway.Admin;

/// <summary>
/// <c>GET /admin/v1/spend</c>: requests, tokens and USD from the ledger's daily rollups, summed per any combination
/// of key, team, model, provider, deployment and UTC day over a date range, as JSON or CSV.
/// </summary>
internal static class AdminSpendEndpoints
{
    private const int MaxDays = 366;
    private static readonly string[] Dimensions = ["key", "team", "model", "provider", "deployment", "day"];
    private static readonly string[] Measures =
        ["requests", "promptTokens", "cachedPromptTokens", "completionTokens", "reasoningTokens", "totalTokens", "costUsd"];

    public static void MapSpend(this RouteGroupBuilder admin) =>
        admin.MapGet("/spend", ReportAsync).WithTags("spend").WithName("spend-report");

    private static async Task<Results<Ok<JsonObject>, ContentHttpResult, ProblemHttpResult>> ReportAsync(
        HttpContext context, ILedgerReports ledger, TimeProvider timeProvider,
        string? from, string? to, string? groupBy, string? format, string? key, string? team, string? model, string? provider)
    {
        var errors = new List<string>();
        var today = DateOnly.FromDateTime(timeProvider.GetUtcNow().UtcDateTime);
        var first = ParseDate("from", from, today, errors);
        var last = ParseDate("to", to, today, errors);
        if (errors.Count == 0 && (last < first || last.DayNumber - first.DayNumber >= MaxDays))
        {
            errors.Add($"to must be on or after from, and the range at most {MaxDays} days.");
        }

        var groups = (groupBy ?? "day").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(g => g.ToLowerInvariant()).Distinct().ToArray();
        foreach (var unknown in groups.Where(g => !Dimensions.Contains(g)))
        {
            errors.Add($"groupBy '{unknown}' is not one of: {string.Join(", ", Dimensions)}.");
        }

        var csv = format is "csv" || (format is null && context.Request.Headers.Accept.ToString().Contains("text/csv", StringComparison.OrdinalIgnoreCase));
        if (format is not (null or "csv" or "json"))
        {
            errors.Add($"format '{format}' is not one of: json, csv.");
        }

        if (errors.Count > 0)
        {
            return AdminHttp.Problem(new AdminFailure(StatusCodes.Status400BadRequest, "Invalid spend query") { Errors = AdminFailure.Group(errors) }, context);
        }

        var query = new SpendQuery(first, last, groups) { KeyId = key, TeamId = team, Model = model, ProviderId = provider };
        var rows = new SortedDictionary<string, (string?[] Keys, Totals Totals)>(StringComparer.Ordinal);
        var total = new Totals();
        foreach (var group in await ledger.SpendAsync(query, context.RequestAborted))
        {
            var id = string.Join('\u001f', group.Values.Select(v => v ?? ""));
            var totals = new Totals();
            totals.Add(group);
            rows[id] = (group.Values, totals);
            total.Add(group);
        }

        if (csv)
        {
            var text = new StringBuilder();
            text.AppendJoin(',', groups.Concat(Measures).Select(Snake)).Append('\n');
            foreach (var (values, totals) in rows.Values)
            {
                text.AppendJoin(',', values.Select(v => Csv(v ?? ""))).Append(groups.Length > 0 ? "," : "").AppendJoin(',', totals.Cells()).Append('\n');
            }

            context.Response.Headers.ContentDisposition = $"attachment; filename=\"spend-{first:yyyy-MM-dd}-{last:yyyy-MM-dd}.csv\"";
            return TypedResults.Text(text.ToString(), "text/csv", Encoding.UTF8);
        }

        var data = new JsonArray();
        foreach (var (values, totals) in rows.Values)
        {
            var item = new JsonObject();
            for (var i = 0; i < groups.Length; i++)
            {
                item[groups[i]] = values[i];
            }

            totals.WriteTo(item);
            data.Add(item);
        }

        var summary = new JsonObject();
        total.WriteTo(summary);
        return TypedResults.Ok(new JsonObject
        {
            ["object"] = "spend.report",
            ["from"] = first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["to"] = last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["groupBy"] = new JsonArray([.. groups.Select(g => (JsonNode)g)]),
            ["data"] = data,
            ["total"] = summary,
        });
    }

    private static DateOnly ParseDate(string name, string? value, DateOnly fallback, List<string> errors)
    {
        if (value is null)
        {
            return fallback;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        errors.Add($"{name} '{value}' must be a UTC date such as 2026-01-31.");
        return fallback;
    }

    private static string Snake(string name) => string.Concat(name.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private sealed class Totals
    {
        private long _requests;
        private long _prompt;
        private long _cached;
        private long _completion;
        private long _reasoning;
        private decimal _cost;

        public void Add(SpendRow row)
        {
            _requests += row.Requests;
            _prompt += row.Tokens.Prompt;
            _cached += row.Tokens.Cached;
            _completion += row.Tokens.Completion;
            _reasoning += row.Tokens.Reasoning;
            _cost += row.CostUsd;
        }

        public IEnumerable<string> Cells() =>
            new object[] { _requests, _prompt, _cached, _completion, _reasoning, _prompt + _completion, _cost }
                .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)!);

        public void WriteTo(JsonObject item)
        {
            item["requests"] = _requests;
            item["promptTokens"] = _prompt;
            item["cachedPromptTokens"] = _cached;
            item["completionTokens"] = _completion;
            item["reasoningTokens"] = _reasoning;
            item["totalTokens"] = _prompt + _completion;
            item["costUsd"] = _cost;
        }
    }
}
