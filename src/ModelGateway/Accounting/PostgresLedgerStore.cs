using System.Data.Common;
using ModelGateway.Quotas;
using Npgsql;
using NpgsqlTypes;

namespace ModelGateway.Accounting;

/// <summary>
/// The ledger in PostgreSQL, shared by every replica. Rows arrive by binary COPY into a staging table that lives for
/// one transaction, then one <c>INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING</c> keeps the write idempotent:
/// COPY cannot skip duplicates itself. Migrations run under a transaction-scoped advisory lock.
/// </summary>
internal sealed class PostgresLedgerStore : SqlLedgerStore
{
    /// <summary>An arbitrary constant naming the ledger's migration lock among the database's advisory locks.</summary>
    private const long MigrationLockId = 0x4D475F4C4544; // "MG_LED"

    private readonly NpgsqlDataSource _dataSource;

    public PostgresLedgerStore(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Fail fast when the database is away: the writer spools and retries on its own schedule.
            Timeout = 5,
            CommandTimeout = 30,
        };
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override bool IsRemote => true;

    protected override string Dialect => "postgres";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Two round trips whatever the batch holds: the binary COPY, then one statement that moves the new rows into the
    /// log and adds exactly those to the rollups (per-group upserts would be a round trip per key, model and deployment).
    /// </summary>
    protected override async Task<int> StoreAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        await ExecuteAsync(connection, transaction,
            "CREATE TEMP TABLE request_log_incoming (LIKE request_log INCLUDING DEFAULTS) ON COMMIT DROP", cancellationToken);
        await using (var importer = await npgsql.BeginBinaryImportAsync(
            "COPY request_log_incoming (" + Columns + ") FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var row in rows)
            {
                await WriteRowAsync(importer, row, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using var move = Command(connection, transaction, MoveAndRollUpSql);
        return Convert.ToInt32(await move.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Inserts the staged rows that are new, rolls up the served ones among them by UTC day, counts the new rows.</summary>
    private const string MoveAndRollUpSql =
        "WITH moved AS (INSERT INTO request_log (" + Columns + ") SELECT " + Columns + " FROM request_log_incoming " +
        "ON CONFLICT (request_id) DO NOTHING " +
        "RETURNING ts, key_id, team_id, model, provider_id, deployment_id, served, prompt_tokens, cached_tokens, completion_tokens, " +
        "reasoning_tokens, cost_nano), " +
        "rolled AS (INSERT INTO daily_spend (day, key_id, team_id, model, provider_id, deployment_id, requests, prompt_tokens, " +
        "cached_tokens, completion_tokens, reasoning_tokens, cost_nano) " +
        "SELECT (ts AT TIME ZONE 'UTC')::date, key_id, team_id, model, provider_id, deployment_id, count(*), sum(prompt_tokens), " +
        "sum(cached_tokens), sum(completion_tokens), sum(reasoning_tokens), sum(cost_nano) FROM moved WHERE served " +
        "GROUP BY 1, 2, 3, 4, 5, 6 " +
        "ON CONFLICT (day, key_id, team_id, model, provider_id, deployment_id) DO UPDATE SET " +
        "requests = daily_spend.requests + excluded.requests, prompt_tokens = daily_spend.prompt_tokens + excluded.prompt_tokens, " +
        "cached_tokens = daily_spend.cached_tokens + excluded.cached_tokens, " +
        "completion_tokens = daily_spend.completion_tokens + excluded.completion_tokens, " +
        "reasoning_tokens = daily_spend.reasoning_tokens + excluded.reasoning_tokens, cost_nano = daily_spend.cost_nano + excluded.cost_nano) " +
        "SELECT count(*) FROM moved";

    /// <summary>One row in <see cref="SqlLedgerStore.Columns"/> order, each value with its column's type.</summary>
    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, RequestLogEntry entry, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken);
        await importer.WriteAsync(entry.RequestId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.Timestamp.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
        await WriteTextOrNullAsync(importer, entry.DecisionId, cancellationToken);
        await importer.WriteAsync(entry.KeyId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.TeamId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.Protocol, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.Operation, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.Model, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.ProviderId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.DeploymentId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.Served, NpgsqlDbType.Boolean, cancellationToken);
        await importer.WriteAsync(entry.Attempts, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(entry.Status, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(entry.Outcome, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.Failure, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(entry.Usage.PromptTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(entry.Usage.CachedPromptTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(entry.Usage.CompletionTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(entry.Usage.ReasoningTokens, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(entry.UsageReported, NpgsqlDbType.Boolean, cancellationToken);
        await importer.WriteAsync(QuotaService.ToNano(entry.CostUsd), NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(QuotaService.ToNano(entry.BaselineCostUsd), NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(entry.LatencyMs, NpgsqlDbType.Double, cancellationToken);
        if (entry.TimeToFirstByteMs is { } ttfb)
        {
            await importer.WriteAsync(ttfb, NpgsqlDbType.Double, cancellationToken);
        }
        else
        {
            await importer.WriteNullAsync(cancellationToken);
        }

        await WriteTextOrNullAsync(importer, entry.Sensitivity, cancellationToken);
        await WriteTextOrNullAsync(importer, entry.Detectors, cancellationToken);
    }

    private static Task WriteTextOrNullAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    protected override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT pg_advisory_xact_lock(@id)");
        Add(command, "@id", MigrationLockId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override object Timestamp(DateTimeOffset value) => value.ToUniversalTime();

    protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetFieldValue<DateTime>(ordinal), DateTimeKind.Utc));

    protected override object Day(DateOnly value) => value;

    protected override string ReadDay(DbDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateOnly>(ordinal).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
