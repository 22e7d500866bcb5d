using System.Globalization;
using System.Text.Json.Nodes;
using ModelGateway.Accounting;
using ModelGateway.Tests.Deploy;
using ModelGateway.Tests.Infrastructure;
using Npgsql;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// The ledger's "Spend by key" dashboard over PostgreSQL. Structurally it imports into any Grafana (a datasource
/// variable defaulting to the provisioned ledger datasource, whose password comes from the environment). Every SQL
/// query in it runs on a real PostgreSQL holding the gateway's own schema (its migrations) and rows written by the real
/// ledger store, expanded as Grafana expands it (<see cref="GrafanaSql"/>), as a role that may only read; each must
/// return exactly the rows computed here from the same request-log entries, for "All" teams and for single teams.
/// </summary>
public sealed class SpendByKeyDashboardTests
{
    private const string DashboardFile = "spend-by-key.json";
    private const string LedgerUid = "modelgateway-ledger";
    private const string NoTeam = "(none)";

    // The selected range as Grafana sends it for three whole UTC days ("to" is the last millisecond of the last day).
    private static readonly DateTimeOffset From = new(2026, 11, 10, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = new(2026, 11, 12, 23, 59, 59, 999, TimeSpan.Zero);
    private const string Interval = "1h";

    [Fact]
    public void The_dashboard_imports_into_any_grafana_and_its_datasource_is_provisioned_without_a_literal_password()
    {
        var dashboard = Dashboard();
        var variable = DashboardValidationTests.Variables(dashboard).Single(v => (string?)v["type"] == "datasource");
        Assert.Equal("datasource", (string?)variable["name"]);
        Assert.Equal(ShippedDashboards.PostgreSql, (string?)variable["query"]);
        Assert.Equal(LedgerUid, (string?)variable["current"]!["value"]);
        Assert.Contains(LedgerUid, DashboardValidationTests.ProvisionedDatasourceUids());
        foreach (var (where, uid) in DashboardValidationTests.DatasourceReferences(dashboard))
        {
            Assert.True(uid == "${datasource}", $"{DashboardFile}: {where} uses datasource uid '{uid}' instead of the $datasource variable.");
        }

        // The provisioned datasource (and the Compose copy): the plugin the dashboard asks for, the password from the environment.
        foreach (var (path, host) in new[] { (new[] { "deploy", "grafana", "provisioning", "datasources", "postgresql.yaml" }, "127.0.0.1:5432"),
                     (new[] { "deploy", "compose", "grafana-ledger-datasource.yaml" }, "postgres:5432") })
        {
            var datasource = YamlFiles.Read(path)["datasources"]!.AsArray().Single()!;
            Assert.Equal(LedgerUid, (string?)datasource["uid"]);
            Assert.Equal(ShippedDashboards.PostgreSql, (string?)datasource["type"]);
            Assert.Equal(host, (string?)datasource["url"]);
            Assert.Equal("modelgateway", (string?)datasource["jsonData"]!["database"]);
            Assert.Null(datasource["password"]);
            Assert.Equal("${MG_GRAFANA_LEDGER_PASSWORD}", (string?)datasource["secureJsonData"]!["password"]);
        }

        foreach (var panel in ShippedDashboards.Panels(dashboard))
        {
            var target = Assert.Single(panel["targets"]!.AsArray())!;
            Assert.True((bool)target["rawQuery"]!, $"{panel["title"]}: not a raw SQL query.");
            // Time series panels get Grafana's time-series frames; everything else a table.
            Assert.Equal((string?)panel["type"] == "timeseries" ? "time_series" : "table", (string?)target["format"]);
            var sql = (string)target["rawSql"]!;
            Assert.Contains(" IN ($team)", sql, StringComparison.Ordinal);
            if (sql.Contains("cost_nano", StringComparison.Ordinal))
            {
                Assert.Equal("currencyUSD", (string?)panel["fieldConfig"]!["defaults"]!["unit"]);
            }
        }
    }

    [Fact]
    public async Task Every_query_returns_the_spend_requests_and_tokens_of_the_rows_the_ledger_wrote()
    {
        var owner = await PostgresServer.NewDatabaseAsync();
        var entries = Entries();
        await using (var store = new PostgresLedgerStore(owner))
        {
            await store.MigrateAsync(default);
            await store.WriteAsync(entries.Take(7).ToList(), default);
            await store.WriteAsync(entries.Skip(7).ToList(), default);
            await store.ReplaceTeamBudgetsAsync([new TeamBudget("other", 1, 1)], default);
            await store.ReplaceTeamBudgetsAsync(Budgets, default);
        }

        var reader = await ReadOnlyRoleAsync(owner);
        await using var connection = new NpgsqlConnection(reader);
        await connection.OpenAsync();
        var denied = await Assert.ThrowsAsync<PostgresException>(() => QueryAsync(connection, "DELETE FROM request_log"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);

        var dashboard = Dashboard();
        var teamVariable = DashboardValidationTests.Variables(dashboard).Single(v => (string?)v["name"] == "team");
        var teams = await QueryAsync(connection, Expand((string)teamVariable["query"]!, []));
        Assert.Equal(["team"], teams.Columns);
        var allTeams = teams.Rows.Select(r => r[0]).ToList();
        Assert.Equal([NoTeam, "research", "support"], allTeams);

        var queries = ShippedDashboards.Panels(dashboard)
            .Select(p => (Title: (string)p["title"]!, Sql: (string)p["targets"]![0]!["rawSql"]!)).ToList();
        Assert.Equal(Expectations.Keys.Order(StringComparer.Ordinal), queries.Select(q => q.Title).Order(StringComparer.Ordinal));

        // "All" is every value of the team variable; then single teams, including keys without one.
        foreach (var selection in new[] { allTeams, ["support"], [NoTeam] })
        {
            var selected = entries.Where(e => selection.Contains(Team(e))).ToList();
            foreach (var (title, sql) in queries)
            {
                var result = await QueryAsync(connection, Expand(sql, selection));
                var (columns, rows) = Expectations[title](selected);
                var where = $"{title} (team {string.Join(',', selection)})";
                Assert.True(columns.SequenceEqual(result.Columns), $"{where}: columns [{string.Join(", ", result.Columns)}]");
                if (columns[0] == "time")
                {
                    // Grafana needs time series sorted by time; ties (one row per series) may come in any order.
                    Assert.True(result.Rows.Select(r => r[0]).SequenceEqual(result.Rows.Select(r => r[0]).Order(StringComparer.Ordinal)), $"{where}: not sorted by time.");
                    result = result with { Rows = [.. result.Rows.OrderBy(r => string.Join('|', r), StringComparer.Ordinal)] };
                    rows = [.. rows.OrderBy(r => string.Join('|', r), StringComparer.Ordinal)];
                }

                Assert.True(rows.Count > 0 || selection.Count == 1, $"{where}: the data should give every panel something to show.");
                Assert.Equal(rows.Select(r => $"{where}: {string.Join(" | ", r)}"), result.Rows.Select(r => $"{where}: {string.Join(" | ", r)}"));
            }
        }

        // Hand-checked anchors, so a mistake shared by the queries and the expectations below cannot pass unnoticed:
        // carol spent the most of any key but alice's team the less of the two teams.
        var top = await QueryAsync(connection, Expand(queries.Single(q => q.Title == "Top keys by spend").Sql, allTeams));
        Assert.Equal(["carol", "support", "1", "5000", "0", "2000", "2.1"], top.Rows[0]);
        var topTeams = await QueryAsync(connection, Expand(queries.Single(q => q.Title == "Top teams by spend").Sql, allTeams));
        Assert.Equal(["support|2.4", "research|2.1", $"{NoTeam}|0.01"], topTeams.Rows.Select(r => $"{r[0]}|{r[5]}"));
        var budget = await QueryAsync(connection, Expand(queries.Single(q => q.Title.StartsWith("Team spend in the budget", StringComparison.Ordinal)).Sql, allTeams));
        Assert.Equal(["research|0.75|2|0.375|5.1|50|0.102", "support|0.3|null|null|3.65|10|0.365", $"{NoTeam}|0|null|null|0.01|null|null"],
            budget.Rows.Select(r => string.Join('|', r)));
    }

    /// <summary>The budgets the gateway would copy from its configuration: research has both, support a monthly one, keys without a team none.</summary>
    private static readonly TeamBudget[] Budgets = [new("research", 2_000_000_000, 50_000_000_000), new("support", null, 10_000_000_000)];

    /// <summary>What each panel must show for the entries of the selected teams: its columns and rows, in order.</summary>
    private static readonly Dictionary<string, Func<List<RequestLogEntry>, (string[] Columns, List<string[]> Rows)>> Expectations = new(StringComparer.Ordinal)
    {
        ["Spend"] = e => (["Spend"], [[Usd(InDays(e).Sum(x => x.CostUsd))]]),
        ["Served requests"] = e => (["Served requests"], [[Text(InDays(e).Count())]]),
        ["Tokens"] = e => (["Prompt", "Completion"], [[Text(InDays(e).Sum(x => x.Usage.PromptTokens)), Text(InDays(e).Sum(x => x.Usage.CompletionTokens))]]),
        ["Requests not served"] = e => (["Not served"], [[Text(InRange(e).Count(x => !x.Served))]]),
        ["Top keys by spend"] = e => (["Key", "Team", "Requests", "Prompt tokens", "Cached prompt tokens", "Completion tokens", "Spend"],
            [.. InDays(e).GroupBy(x => (x.KeyId, Team: Team(x))).OrderByDescending(g => g.Sum(x => x.CostUsd)).ThenBy(g => g.Key.KeyId, StringComparer.Ordinal)
                .Select(g => new[] { g.Key.KeyId, g.Key.Team, Text(g.Count()), Text(g.Sum(x => x.Usage.PromptTokens)), Text(g.Sum(x => x.Usage.CachedPromptTokens)),
                    Text(g.Sum(x => x.Usage.CompletionTokens)), Usd(g.Sum(x => x.CostUsd)) })]),
        ["Top teams by spend"] = e => (["Team", "Keys", "Requests", "Prompt tokens", "Completion tokens", "Spend", "Share"],
            [.. InDays(e).GroupBy(Team).OrderByDescending(g => g.Sum(x => x.CostUsd))
                .Select(g => new[] { g.Key, Text(g.Select(x => x.KeyId).Distinct().Count()), Text(g.Count()), Text(g.Sum(x => x.Usage.PromptTokens)),
                    Text(g.Sum(x => x.Usage.CompletionTokens)), Usd(g.Sum(x => x.CostUsd)), Usd(g.Sum(x => x.CostUsd) / InDays(e).Sum(x => x.CostUsd)) })]),
        ["Requests by outcome"] = e => (["time", "metric", "requests"],
            [.. InRange(e).GroupBy(x => (Time: Bucket(x), x.Outcome)).Select(g => new[] { g.Key.Time, g.Key.Outcome, Text(g.Count()) })]),
        ["Tokens by kind"] = e => (["time", "prompt", "cached prompt", "completion", "reasoning"],
            [.. InRange(e).Where(x => x.Served).GroupBy(Bucket).Select(g => new[] { g.Key, Text(g.Sum(x => x.Usage.PromptTokens)),
                Text(g.Sum(x => x.Usage.CachedPromptTokens)), Text(g.Sum(x => x.Usage.CompletionTokens)), Text(g.Sum(x => x.Usage.ReasoningTokens)) })]),
        ["Spend per UTC day by team"] = e => (["time", "metric", "spend"],
            [.. InDays(e).GroupBy(x => (x.Day, Team: Team(x))).Select(g => new[] { Text(g.Key.Day.ToDateTime(TimeOnly.MinValue)), g.Key.Team, Usd(g.Sum(x => x.CostUsd)) })]),
        ["Team spend in the budget periods (UTC day and month of the range's end)"] = e =>
        {
            var lastDay = DateOnly.FromDateTime(To.UtcDateTime);
            var month = e.Where(x => x.Served && x.Day <= lastDay && x.Day >= new DateOnly(lastDay.Year, lastDay.Month, 1));
            return (["Team", "Spend that day", "Daily budget", "Daily budget used", "Spend that month to date", "Monthly budget", "Monthly budget used"],
                [.. month.GroupBy(Team).OrderByDescending(g => g.Sum(x => x.CostUsd))
                    .Select(g =>
                    {
                        var budget = Budgets.SingleOrDefault(b => b.TeamId == g.Key);
                        var day = g.Where(x => x.Day == lastDay).Sum(x => x.CostUsd);
                        var monthToDate = g.Sum(x => x.CostUsd);
                        return new[]
                        {
                            g.Key, Usd(day), Budget(budget?.NanoUsdPerDay), Used(day, budget?.NanoUsdPerDay),
                            Usd(monthToDate), Budget(budget?.NanoUsdPerMonth), Used(monthToDate, budget?.NanoUsdPerMonth),
                        };
                    })]);
        },
    };

    /// <summary>
    /// Two teams of keys and a key without one, over two models, in and around the range: served, fallen back, failed
    /// and refused requests; a day before the range and the month before (month to date must see one, not the other).
    /// </summary>
    private static List<RequestLogEntry> Entries()
    {
        var entries = new List<RequestLogEntry>();
        void Add(string at, string key, string team, string outcome, string model = "qwen3", int prompt = 0, int cached = 0, int completion = 0, int reasoning = 0, decimal cost = 0m)
        {
            var served = outcome is "served" or "fell_back";
            entries.Add(new RequestLogEntry
            {
                RequestId = "req-" + (entries.Count + 1).ToString(CultureInfo.InvariantCulture),
                Timestamp = DateTimeOffset.Parse(at, CultureInfo.InvariantCulture),
                DecisionId = "dec-" + (entries.Count + 1).ToString(CultureInfo.InvariantCulture),
                KeyId = key,
                TeamId = team,
                Protocol = "openai",
                Operation = "chat",
                Model = model,
                ProviderId = served ? "selfhost" : "",
                DeploymentId = served ? model + "-self" : "",
                Served = served,
                Attempts = outcome == "fell_back" ? 2 : 1,
                Status = outcome switch { "served" or "fell_back" => 200, "upstream_error" => 502, "rejected_quota" => 429, _ => 403 },
                Outcome = outcome,
                Failure = served ? "" : outcome,
                Usage = new TokenUsage(prompt, cached, completion, reasoning),
                UsageReported = served,
                CostUsd = cost,
                LatencyMs = 250,
                TimeToFirstByteMs = served ? 40 : null,
            });
        }

        Add("2026-10-31T12:00:00Z", "alice", "research", "served", prompt: 90_000, completion: 40_000, cost: 7m);
        Add("2026-11-01T09:00:00Z", "carol", "support", "served", prompt: 3_000, completion: 1_000, cost: 1.25m);
        Add("2026-11-09T22:00:00Z", "alice", "research", "rejected_policy");
        Add("2026-11-09T23:59:59Z", "bob", "research", "served", prompt: 9_000, completion: 3_000, cost: 3m);
        Add("2026-11-10T01:15:00Z", "alice", "research", "served", prompt: 1_000, cached: 200, completion: 500, cost: 0.4m);
        Add("2026-11-10T01:45:00Z", "alice", "research", "fell_back", model: "gpt", prompt: 2_000, completion: 700, reasoning: 300, cost: 0.9m);
        Add("2026-11-10T01:50:00Z", "alice", "research", "upstream_error", model: "gpt");
        Add("2026-11-10T10:05:00Z", "bob", "research", "served", prompt: 300, completion: 100, cost: 0.05m);
        Add("2026-11-11T08:30:00Z", "carol", "support", "served", model: "gpt", prompt: 5_000, completion: 2_000, reasoning: 300, cost: 2.1m);
        Add("2026-11-11T08:31:00Z", "carol", "support", "rejected_quota", model: "gpt");
        Add("2026-11-11T14:00:00Z", "dave", "", "served", prompt: 100, completion: 50, cost: 0.01m);
        Add("2026-11-12T23:00:00Z", "alice", "research", "served", prompt: 800, cached: 400, completion: 900, cost: 0.75m);
        Add("2026-11-12T23:10:00Z", "eve", "support", "served", prompt: 1_200, completion: 300, cost: 0.3m);
        Add("2026-11-13T00:00:30Z", "bob", "research", "served", prompt: 400, completion: 100, cost: 0.2m);
        return entries;
    }

    private static JsonObject Dashboard() => ShippedDashboards.LoadAll().Single(d => d.File == DashboardFile).Dashboard;

    private static string Expand(string sql, IReadOnlyList<string> teams) =>
        GrafanaSql.Interpolate(sql, From, To, Interval, new Dictionary<string, IReadOnlyList<string>> { ["team"] = teams });

    /// <summary>Served requests on the whole UTC days the range touches: what the daily rollups hold.</summary>
    private static IEnumerable<RequestLogEntry> InDays(IEnumerable<RequestLogEntry> entries) =>
        entries.Where(e => e.Served && e.Day >= DateOnly.FromDateTime(From.UtcDateTime) && e.Day <= DateOnly.FromDateTime(To.UtcDateTime));

    /// <summary>Every request inside the range itself ($__timeFilter: BETWEEN, both ends included).</summary>
    private static IEnumerable<RequestLogEntry> InRange(IEnumerable<RequestLogEntry> entries) =>
        entries.Where(e => e.Timestamp >= From && e.Timestamp <= To);

    private static string Team(RequestLogEntry entry) => entry.TeamId.Length == 0 ? NoTeam : entry.TeamId;

    private static string Bucket(RequestLogEntry entry)
    {
        var seconds = (long)GrafanaSql.ParseInterval(Interval).TotalSeconds;
        return Text(entry.Timestamp.ToUnixTimeSeconds() / seconds * seconds);
    }

    private static string Usd(decimal value) => Text(value);

    private static string Budget(long? nano) => nano is { } n ? Usd(n / 1_000_000_000m) : Text(null);

    private static string Used(decimal spend, long? nano) =>
        nano is { } n ? Text(Math.Round(spend / (n / 1_000_000_000m), 4, MidpointRounding.AwayFromZero)) : Text(null);

    /// <summary>One text form per value, whatever type PostgreSQL returned it as (integer, numeric, timestamp).</summary>
    private static string Text(object? value) => value switch
    {
        null => "null",
        decimal d => Math.Round(d, 9).ToString("0.#########", CultureInfo.InvariantCulture),
        long or int or double => Text(Convert.ToDecimal(value, CultureInfo.InvariantCulture)),
        DateTime t => t.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static async Task<QueryResult> QueryAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => Text(reader.IsDBNull(i) ? null : reader.GetValue(i)))]);
        }

        return new QueryResult(columns, rows);
    }

    /// <summary>A login role with the grants docs/ledger.md gives Grafana: read the two tables, nothing else.</summary>
    private static async Task<string> ReadOnlyRoleAsync(string ownerConnectionString)
    {
        var role = "grafana_reader_" + Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(ownerConnectionString))
        {
            await connection.OpenAsync();
            await using var grant = new NpgsqlCommand(
                $"CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA public TO {role}; GRANT SELECT ON request_log, daily_spend, team_budget TO {role};", connection);
            await grant.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ownerConnectionString) { Username = role }.ToString();
    }

    private sealed record QueryResult(string[] Columns, List<string[]> Rows);
}
