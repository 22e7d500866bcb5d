using System.Data.Common;
using System.Globalization;
using System.Text;
using ModelGateway.Quotas;
using ModelGateway.Requests;

namespace ModelGateway.Accounting;

/// <summary>
/// The ledger SQL both databases share: each batch is one transaction that inserts the rows whose request id is new
/// (<c>ON CONFLICT (request_id) DO NOTHING</c>) and adds exactly those to the daily rollups, so a retried batch counts
/// nothing twice. The subclasses say how rows are written, how timestamps and days are stored, how to connect, and
/// how to serialise migrations.
/// </summary>
internal abstract class SqlLedgerStore : ILedgerStore
{
    protected const int ColumnCount = 26;
    protected const string Columns =
        "request_id, ts, decision_id, key_id, team_id, protocol, operation, model, provider_id, deployment_id, served, attempts, status, " +
        "outcome, failure, prompt_tokens, cached_tokens, completion_tokens, reasoning_tokens, usage_reported, cost_nano, baseline_cost_nano, " +
        "latency_ms, ttfb_ms, sensitivity, detectors";

    private static readonly Dictionary<string, string> DimensionColumns = new(StringComparer.Ordinal)
    {
        ["key"] = "key_id",
        ["team"] = "team_id",
        ["model"] = "model",
        ["provider"] = "provider_id",
        ["deployment"] = "deployment_id",
        ["day"] = "day",
    };

    public abstract bool IsRemote { get; }

    /// <summary>The folder of this database's scripts under <c>Accounting/Migrations</c>.</summary>
    protected abstract string Dialect { get; }

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs inside the migration transaction before anything else, to keep other replicas out.</summary>
    protected abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);

    protected abstract object Timestamp(DateTimeOffset value);

    protected abstract DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal);

    protected abstract object Day(DateOnly value);

    protected abstract string ReadDay(DbDataReader reader, int ordinal);

    protected virtual string SchemaVersionTable =>
        "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL PRIMARY KEY, applied_at text NOT NULL)";

    public Task MigrateAsync(CancellationToken cancellationToken) => RunAsync(MigrateCoreAsync, cancellationToken);

    private async Task<bool> MigrateCoreAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockForMigrationAsync(connection, transaction, cancellationToken);
        await ExecuteAsync(connection, transaction, SchemaVersionTable, cancellationToken);

        // Every script not yet applied, in version order, whether or not a higher one already is: features add their
        // scripts on separate branches (0002, 0003, ...), and a database may have met them in another order.
        var applied = new HashSet<int>();
        await using (var read = Command(connection, transaction, "SELECT version FROM schema_version"))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture));
            }
        }

        foreach (var migration in LedgerMigrations.For(Dialect).Where(m => !applied.Contains(m.Version)))
        {
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using var record = Command(connection, transaction, "INSERT INTO schema_version (version, applied_at) VALUES (@v, @at)");
            Add(record, "@v", migration.Version);
            Add(record, "@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public Task<int> WriteAsync(IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken) =>
        RunAsync(token => WriteCoreAsync(rows, token), cancellationToken);

    private async Task<int> WriteCoreAsync(IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await StoreAsync(connection, transaction, rows, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    /// <summary>
    /// Inside the batch's transaction: inserts the rows whose request id is new and adds exactly those rows to the
    /// daily rollups; returns how many were new. Each database does it the way its round trips make cheap.
    /// </summary>
    protected abstract Task<int> StoreAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken);

    /// <summary>The single-row insert, for stores that prepare it once and run it per row.</summary>
    protected static string SingleRowInsertSql { get; } = "INSERT INTO request_log (" + Columns + ") VALUES (" +
        string.Join(", ", Enumerable.Range(0, ColumnCount).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture))) +
        ") ON CONFLICT (request_id) DO NOTHING";

    public Task<IReadOnlyList<SpendRow>> SpendAsync(SpendQuery query, CancellationToken cancellationToken) =>
        RunAsync(token => SpendCoreAsync(query, token), cancellationToken);

    private async Task<IReadOnlyList<SpendRow>> SpendCoreAsync(SpendQuery query, CancellationToken cancellationToken)
    {
        var dimensions = query.GroupBy.Select(g => DimensionColumns[g]).ToArray();
        var sql = new StringBuilder("SELECT ");
        foreach (var column in dimensions)
        {
            sql.Append(column).Append(", ");
        }

        sql.Append("SUM(requests), SUM(prompt_tokens), SUM(cached_tokens), SUM(completion_tokens), SUM(reasoning_tokens), SUM(cost_nano) ")
            .Append("FROM daily_spend WHERE day >= @first AND day <= @last");
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        Add(command, "@first", Day(query.First));
        Add(command, "@last", Day(query.Last));
        Filter(command, sql, "key_id", query.KeyId);
        Filter(command, sql, "team_id", query.TeamId);
        Filter(command, sql, "model", query.Model);
        Filter(command, sql, "provider_id", query.ProviderId);
        if (dimensions.Length > 0)
        {
            sql.Append(" GROUP BY ").AppendJoin(", ", dimensions);
        }

        command.CommandText = sql.ToString();
        var result = new List<SpendRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var n = dimensions.Length;
            if (reader.IsDBNull(n))
            {
                continue; // No rows at all: the ungrouped SUM is NULL.
            }

            var values = new string?[n];
            for (var i = 0; i < n; i++)
            {
                values[i] = dimensions[i] == "day" ? ReadDay(reader, i) : reader.GetString(i);
                if (dimensions[i] == "team_id" && values[i]!.Length == 0)
                {
                    values[i] = null;
                }
            }

            result.Add(new SpendRow(
                values,
                reader.GetInt64(n),
                new TokenTotals(reader.GetInt64(n + 1), reader.GetInt64(n + 2), reader.GetInt64(n + 3), reader.GetInt64(n + 4)),
                FromNano(reader.GetInt64(n + 5))));
        }

        return result;
    }

    public Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(RequestLogQuery query, CancellationToken cancellationToken) =>
        RunAsync(token => RequestsCoreAsync(query, token), cancellationToken);

    private async Task<IReadOnlyList<RequestLogEntry>> RequestsCoreAsync(RequestLogQuery query, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder("SELECT ").Append(Columns).Append(" FROM request_log WHERE ts >= @from AND ts < @to");
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        Add(command, "@from", Timestamp(query.From));
        Add(command, "@to", Timestamp(query.To));
        Filter(command, sql, "key_id", query.KeyId);
        Filter(command, sql, "team_id", query.TeamId);
        Filter(command, sql, "model", query.Model);
        Filter(command, sql, "outcome", query.Outcome);
        if (query.Status is { } status)
        {
            sql.Append(" AND status = @status");
            Add(command, "@status", status);
        }

        if (query.After is { } after)
        {
            // Newest first: the next page is strictly older, ties broken by request id.
            sql.Append(" AND (ts < @after_ts OR (ts = @after_ts AND request_id < @after_id))");
            Add(command, "@after_ts", Timestamp(DateTimeOffset.FromUnixTimeMilliseconds(after.UnixMs)));
            Add(command, "@after_id", after.RequestId);
        }

        sql.Append(" ORDER BY ts DESC, request_id DESC LIMIT @limit");
        Add(command, "@limit", query.Limit);
        command.CommandText = sql.ToString();
        var rows = new List<RequestLogEntry>(Math.Min(query.Limit, 1000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadRow(reader));
        }

        return rows;
    }

    public Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        RunAsync(token => PruneCoreAsync(cutoff, token), cancellationToken);

    private async Task<long> PruneCoreAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var rows = Command(connection, transaction, "DELETE FROM request_log WHERE ts < @cutoff");
        Add(rows, "@cutoff", Timestamp(cutoff));
        long deleted = await rows.ExecuteNonQueryAsync(cancellationToken);
        await using var days = Command(connection, transaction, "DELETE FROM daily_spend WHERE day < @day");
        Add(days, "@day", Day(DateOnly.FromDateTime(cutoff.UtcDateTime)));
        deleted += await days.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    public Task<IReadOnlyList<TeamBudget>> TeamBudgetsAsync(CancellationToken cancellationToken) => RunAsync(TeamBudgetsCoreAsync, cancellationToken);

    private async Task<IReadOnlyList<TeamBudget>> TeamBudgetsCoreAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT team_id, usd_per_day_nano, usd_per_month_nano FROM team_budget ORDER BY team_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var budgets = new List<TeamBudget>();
        while (await reader.ReadAsync(cancellationToken))
        {
            budgets.Add(new TeamBudget(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }

        return budgets;
    }

    public Task ReplaceTeamBudgetsAsync(IReadOnlyList<TeamBudget> budgets, CancellationToken cancellationToken) =>
        RunAsync(token => ReplaceTeamBudgetsCoreAsync(budgets, token), cancellationToken);

    private async Task<bool> ReplaceTeamBudgetsCoreAsync(IReadOnlyList<TeamBudget> budgets, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, "DELETE FROM team_budget", cancellationToken);
        foreach (var budget in budgets)
        {
            await using var insert = Command(connection, transaction,
                "INSERT INTO team_budget (team_id, usd_per_day_nano, usd_per_month_nano) VALUES (@team, @day, @month)");
            Add(insert, "@team", budget.TeamId);
            Add(insert, "@day", budget.NanoUsdPerDay);
            Add(insert, "@month", budget.NanoUsdPerMonth);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>
    /// Runs database work where blocking does no harm: the embedded database's calls block, so it runs them on threads
    /// of its own (see <see cref="DatabaseThreads"/>); a server database's calls are truly asynchronous and run as they are.
    /// Everything that opens a connection goes through here.
    /// </summary>
    internal virtual Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) => work(cancellationToken);

    /// <summary>A connection to the ledger database, for the other tables it holds (captured content, experiment pairs); use it inside <see cref="RunAsync"/>.</summary>
    internal Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    /// <summary>An instant as this database stores it.</summary>
    internal object TimestampValue(DateTimeOffset value) => Timestamp(value);

    internal DateTimeOffset ReadTimestampValue(DbDataReader reader, int ordinal) => ReadTimestamp(reader, ordinal);

    internal static DbCommand NewCommand(DbConnection connection, DbTransaction? transaction, string sql) => Command(connection, transaction, sql);

    internal static void AddParameter(DbCommand command, string name, object? value) => Add(command, name, value);
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    internal string DialectName => Dialect;

    protected static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    protected static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    protected static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static decimal FromNano(long nano) => nano / 1_000_000_000m;

    private static void Filter(DbCommand command, StringBuilder sql, string column, string? value)
    {
        if (value is null)
        {
            return;
        }

        sql.Append(" AND ").Append(column).Append(" = @").Append(column);
        Add(command, "@" + column, value);
    }

    /// <summary>The row's column values, in <see cref="Columns"/> order.</summary>
    protected object?[] Values(RequestLogEntry entry) =>
        [
            entry.RequestId, Timestamp(entry.Timestamp), entry.DecisionId, entry.KeyId, entry.TeamId, entry.Protocol, entry.Operation,
            entry.Model, entry.ProviderId, entry.DeploymentId, entry.Served, entry.Attempts, entry.Status, entry.Outcome, entry.Failure,
            entry.Usage.PromptTokens, entry.Usage.CachedPromptTokens, entry.Usage.CompletionTokens, entry.Usage.ReasoningTokens,
            entry.UsageReported, QuotaService.ToNano(entry.CostUsd), QuotaService.ToNano(entry.BaselineCostUsd),
            entry.LatencyMs, entry.TimeToFirstByteMs, entry.Sensitivity, entry.Detectors,
        ];

    private RequestLogEntry ReadRow(DbDataReader reader)
    {
        string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
        return new RequestLogEntry
        {
            RequestId = reader.GetString(0),
            Timestamp = ReadTimestamp(reader, 1),
            DecisionId = Text(2),
            KeyId = reader.GetString(3),
            TeamId = reader.GetString(4),
            Protocol = reader.GetString(5),
            Operation = reader.GetString(6),
            Model = reader.GetString(7),
            ProviderId = reader.GetString(8),
            DeploymentId = reader.GetString(9),
            Served = reader.GetBoolean(10),
            Attempts = reader.GetInt32(11),
            Status = reader.GetInt32(12),
            Outcome = reader.GetString(13),
            Failure = reader.GetString(14),
            Usage = new TokenUsage(reader.GetInt32(15), reader.GetInt32(16), reader.GetInt32(17), reader.GetInt32(18)),
            UsageReported = reader.GetBoolean(19),
            CostUsd = FromNano(reader.GetInt64(20)),
            BaselineCostUsd = FromNano(reader.GetInt64(21)),
            LatencyMs = reader.GetDouble(22),
            TimeToFirstByteMs = reader.IsDBNull(23) ? null : reader.GetDouble(23),
            Sensitivity = Text(24),
            Detectors = Text(25),
        };
    }

    /// <summary>Adds the served rows among <paramref name="inserted"/> to the daily rollups, one upsert per group.</summary>
    protected async Task UpsertRollupsAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> rows, HashSet<string> inserted, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<(DateOnly, string, string, string, string, string), (long Requests, long P, long C, long O, long R, long Nano)>();
        foreach (var row in rows)
        {
            if (!row.Served || !inserted.Contains(row.RequestId))
            {
                continue;
            }

            var key = (row.Day, row.KeyId, row.TeamId, row.Model, row.ProviderId, row.DeploymentId);
            var sum = groups.GetValueOrDefault(key);
            groups[key] = (sum.Requests + 1, sum.P + row.Usage.PromptTokens, sum.C + row.Usage.CachedPromptTokens,
                sum.O + row.Usage.CompletionTokens, sum.R + row.Usage.ReasoningTokens, sum.Nano + QuotaService.ToNano(row.CostUsd));
        }

        foreach (var ((day, keyId, teamId, model, provider, deployment), sum) in groups)
        {
            await using var upsert = Command(connection, transaction,
                "INSERT INTO daily_spend (day, key_id, team_id, model, provider_id, deployment_id, requests, prompt_tokens, cached_tokens, " +
                "completion_tokens, reasoning_tokens, cost_nano) VALUES (@day, @key, @team, @model, @provider, @deployment, @n, @p, @c, @o, @r, @cost) " +
                "ON CONFLICT (day, key_id, team_id, model, provider_id, deployment_id) DO UPDATE SET requests = daily_spend.requests + excluded.requests, " +
                "prompt_tokens = daily_spend.prompt_tokens + excluded.prompt_tokens, cached_tokens = daily_spend.cached_tokens + excluded.cached_tokens, " +
                "completion_tokens = daily_spend.completion_tokens + excluded.completion_tokens, " +
                "reasoning_tokens = daily_spend.reasoning_tokens + excluded.reasoning_tokens, cost_nano = daily_spend.cost_nano + excluded.cost_nano");
            Add(upsert, "@day", Day(day));
            Add(upsert, "@key", keyId);
            Add(upsert, "@team", teamId);
            Add(upsert, "@model", model);
            Add(upsert, "@provider", provider);
            Add(upsert, "@deployment", deployment);
            Add(upsert, "@n", sum.Requests);
            Add(upsert, "@p", sum.P);
            Add(upsert, "@c", sum.C);
            Add(upsert, "@o", sum.O);
            Add(upsert, "@r", sum.R);
            Add(upsert, "@cost", sum.Nano);
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
