using System.Data.Common;
using System.Globalization;
using System.Text;
using ModelGateway.Quotas;
using ModelGateway.Requests;

namespace ModelGateway.Accounting;

/// <summary>
/// The ledger SQL both databases share: multi-row <c>INSERT ... ON CONFLICT (request_id) DO NOTHING RETURNING</c>
/// and a rollup upsert of exactly the returned rows, in one transaction. The subclasses say how timestamps and days
/// are stored, how to connect, and how to serialise migrations.
/// </summary>
internal abstract class SqlLedgerStore : ILedgerStore
{
    protected const int ColumnCount = 26;
    private const string Columns =
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

    private readonly string?[] _insertSql = new string?[501];

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

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await LockForMigrationAsync(connection, transaction, cancellationToken);
        await ExecuteAsync(connection, transaction, SchemaVersionTable, cancellationToken);
        await using (var read = Command(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version"))
        {
            var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            foreach (var migration in LedgerMigrations.For(Dialect).Where(m => m.Version > current))
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using var record = Command(connection, transaction, "INSERT INTO schema_version (version, applied_at) VALUES (@v, @at)");
                Add(record, "@v", migration.Version);
                Add(record, "@at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> WriteAsync(IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var inserted = await InsertAsync(connection, transaction, rows, cancellationToken);
        await UpsertRollupsAsync(connection, transaction, rows, inserted, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted.Count;
    }

    /// <summary>
    /// Inserts the rows whose request id is new; returns their ids. This default sends multi-row
    /// <c>INSERT ... RETURNING</c> statements of up to 500 rows (one round trip each, what a network database wants).
    /// </summary>
    protected virtual async Task<HashSet<string>> InsertAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        const int Chunk = 500;
        for (var start = 0; start < rows.Count; start += Chunk)
        {
            var count = Math.Min(Chunk, rows.Count - start);
            await using var insert = Command(connection, transaction, InsertSql(count));
            for (var i = 0; i < count; i++)
            {
                AddRow(insert, i, rows[start + i]);
            }

            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetString(0));
            }
        }

        return inserted;
    }

    /// <summary>The single-row insert, for stores that prepare it once and run it per row.</summary>
    protected static string SingleRowInsertSql { get; } = "INSERT INTO request_log (" + Columns + ") VALUES (" +
        string.Join(", ", Enumerable.Range(0, ColumnCount).Select(i => "@p" + i.ToString(CultureInfo.InvariantCulture))) +
        ") ON CONFLICT (request_id) DO NOTHING";

    public async Task<IReadOnlyList<SpendRow>> SpendAsync(SpendQuery query, CancellationToken cancellationToken)
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

    public async Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(RequestLogQuery query, CancellationToken cancellationToken)
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

    public async Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
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

    public abstract ValueTask DisposeAsync();

    /// <summary>A connection to the ledger database, for the tables other parts keep there (experiment pairs).</summary>
    internal Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

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

    private string InsertSql(int count)
    {
        if (_insertSql[count] is { } cached)
        {
            return cached;
        }

        var sql = new StringBuilder("INSERT INTO request_log (").Append(Columns).Append(") VALUES ");
        for (var row = 0; row < count; row++)
        {
            sql.Append(row == 0 ? "(" : ", (");
            for (var column = 0; column < ColumnCount; column++)
            {
                sql.Append(column == 0 ? "@p" : ", @p").Append(row * ColumnCount + column);
            }

            sql.Append(')');
        }

        sql.Append(" ON CONFLICT (request_id) DO NOTHING RETURNING request_id");
        return _insertSql[count] = sql.ToString();
    }

    private void AddRow(DbCommand command, int row, RequestLogEntry entry)
    {
        var p = row * ColumnCount;
        var values = Values(entry);
        for (var i = 0; i < values.Length; i++)
        {
            Add(command, "@p" + (p + i).ToString(CultureInfo.InvariantCulture), values[i]);
        }
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

    private async Task UpsertRollupsAsync(
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
