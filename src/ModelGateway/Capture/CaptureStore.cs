using System.Data.Common;
using System.Globalization;
using System.Text;
using ModelGateway.Accounting;
using ModelGateway.Sensitivity;

namespace ModelGateway.Capture;

/// <summary>
/// The <c>capture</c> table of the ledger database (SQLite or PostgreSQL, migration 0003): inserts by the writer,
/// keyset-paged reads for the export, counts for the manifest, deletion by key or team, and retention.
/// </summary>
internal sealed class CaptureStore
{
    private const string Columns =
        "request_id, ts, key_id, team_id, model, provider_id, deployment_id, level, redactions, tool_calls, streamed, bytes, record";

    private readonly SqlLedgerStore _ledger;

    public CaptureStore(ILedgerStore ledger)
    {
        _ledger = ledger as SqlLedgerStore
            ?? throw new InvalidOperationException("Capture needs the SQL ledger (Ledger:Provider sqlite or postgres).");
    }

    /// <summary>Inserts the rows whose request id is new, in one transaction; returns how many were.</summary>
    public Task<int> InsertAsync(IReadOnlyList<CaptureRow> rows, CancellationToken cancellationToken) =>
        _ledger.RunAsync(token => InsertCoreAsync(rows, token), cancellationToken);

    private async Task<int> InsertCoreAsync(IReadOnlyList<CaptureRow> rows, CancellationToken cancellationToken)
    {
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = SqlLedgerStore.NewCommand(connection, transaction,
            "INSERT INTO capture (" + Columns + ") VALUES (@id, @ts, @key, @team, @model, @provider, @deployment, @level, @redactions, @calls, @streamed, @bytes, @record) " +
            "ON CONFLICT (request_id) DO NOTHING");
        var inserted = 0;
        foreach (var row in rows)
        {
            insert.Parameters.Clear();
            SqlLedgerStore.AddParameter(insert, "@id", row.RequestId);
            SqlLedgerStore.AddParameter(insert, "@ts", _ledger.TimestampValue(row.Timestamp));
            SqlLedgerStore.AddParameter(insert, "@key", row.KeyId);
            SqlLedgerStore.AddParameter(insert, "@team", row.TeamId);
            SqlLedgerStore.AddParameter(insert, "@model", row.Model);
            SqlLedgerStore.AddParameter(insert, "@provider", row.ProviderId);
            SqlLedgerStore.AddParameter(insert, "@deployment", row.DeploymentId);
            SqlLedgerStore.AddParameter(insert, "@level", (short)row.Level);
            SqlLedgerStore.AddParameter(insert, "@redactions", row.Redactions);
            SqlLedgerStore.AddParameter(insert, "@calls", row.ToolCalls);
            SqlLedgerStore.AddParameter(insert, "@streamed", row.Streamed);
            SqlLedgerStore.AddParameter(insert, "@bytes", Encoding.UTF8.GetByteCount(row.Record));
            SqlLedgerStore.AddParameter(insert, "@record", row.Record);
            inserted += await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    /// <summary>Up to <paramref name="limit"/> records after <paramref name="after"/> (oldest first; ties by request id).</summary>
    public Task<List<(DateTimeOffset Timestamp, string RequestId, string Record)>> PageAsync(
        CaptureQuery query, (DateTimeOffset Timestamp, string RequestId)? after, int limit, CancellationToken cancellationToken) =>
        _ledger.RunAsync(token => PageCoreAsync(query, after, limit, token), cancellationToken);

    private async Task<List<(DateTimeOffset Timestamp, string RequestId, string Record)>> PageCoreAsync(
        CaptureQuery query, (DateTimeOffset Timestamp, string RequestId)? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = SqlLedgerStore.NewCommand(connection, null, "");
        var sql = new StringBuilder("SELECT ts, request_id, record FROM capture");
        Where(command, sql, query);
        if (after is { } cursor)
        {
            sql.Append(" AND (ts > @after_ts OR (ts = @after_ts AND request_id > @after_id))");
            SqlLedgerStore.AddParameter(command, "@after_ts", _ledger.TimestampValue(cursor.Timestamp));
            SqlLedgerStore.AddParameter(command, "@after_id", cursor.RequestId);
        }

        sql.Append(" ORDER BY ts, request_id LIMIT @limit");
        SqlLedgerStore.AddParameter(command, "@limit", limit);
        command.CommandText = sql.ToString();
        var page = new List<(DateTimeOffset, string, string)>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add((_ledger.ReadTimestampValue(reader, 0), reader.GetString(1), reader.GetString(2)));
        }

        return page;
    }

    public Task<CaptureManifest> ManifestAsync(CaptureQuery query, CancellationToken cancellationToken) =>
        _ledger.RunAsync(token => ManifestCoreAsync(query, token), cancellationToken);

    private async Task<CaptureManifest> ManifestCoreAsync(CaptureQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        long records = 0, bytes = 0, redacted = 0, withCalls = 0;
        DateTimeOffset? first = null, last = null;
        await using (var totals = SqlLedgerStore.NewCommand(connection, null, ""))
        {
            var sql = new StringBuilder("SELECT COUNT(*), COALESCE(SUM(bytes), 0), COALESCE(SUM(CASE WHEN redactions > 0 THEN 1 ELSE 0 END), 0), " +
                "COALESCE(SUM(CASE WHEN tool_calls > 0 THEN 1 ELSE 0 END), 0), MIN(ts), MAX(ts) FROM capture");
            Where(totals, sql, query);
            totals.CommandText = sql.ToString();
            await using var reader = await totals.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                records = Long(reader, 0);
                bytes = Long(reader, 1);
                redacted = Long(reader, 2);
                withCalls = Long(reader, 3);
                first = reader.IsDBNull(4) ? null : _ledger.ReadTimestampValue(reader, 4);
                last = reader.IsDBNull(5) ? null : _ledger.ReadTimestampValue(reader, 5);
            }
        }

        return new CaptureManifest
        {
            Records = records,
            Bytes = bytes,
            Redacted = redacted,
            WithToolCalls = withCalls,
            First = first,
            Last = last,
            ByModel = await GroupAsync(connection, query, "model", cancellationToken),
            ByDeployment = await GroupAsync(connection, query, "deployment_id", cancellationToken),
            ByLevel = [.. (await GroupAsync(connection, query, "level", cancellationToken))
                .Select(g => (SensitivityNames.Name((SensitivityLevel)int.Parse(g.Name, CultureInfo.InvariantCulture)), g.Records))],
            ByKey = await GroupAsync(connection, query, "key_id", cancellationToken),
        };
    }

    /// <summary>Deletes every pair of the key and/or team (at least one is given); returns how many.</summary>
    public Task<long> DeleteAsync(string? keyId, string? teamId, CancellationToken cancellationToken) =>
        _ledger.RunAsync(token => DeleteCoreAsync(keyId, teamId, token), cancellationToken);

    private async Task<long> DeleteCoreAsync(string? keyId, string? teamId, CancellationToken cancellationToken)
    {
        if (keyId is null && teamId is null)
        {
            throw new ArgumentException("A key or a team is required.", nameof(keyId));
        }

        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = SqlLedgerStore.NewCommand(connection, null, "");
        var sql = new StringBuilder("DELETE FROM capture WHERE 1 = 1");
        Filter(command, sql, "key_id", keyId);
        Filter(command, sql, "team_id", teamId);
        command.CommandText = sql.ToString();
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the pairs captured before <paramref name="cutoff"/>.</summary>
    public Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        _ledger.RunAsync(token => PruneCoreAsync(cutoff, token), cancellationToken);

    private async Task<long> PruneCoreAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await _ledger.OpenConnectionAsync(cancellationToken);
        await using var command = SqlLedgerStore.NewCommand(connection, null, "DELETE FROM capture WHERE ts < @cutoff");
        SqlLedgerStore.AddParameter(command, "@cutoff", _ledger.TimestampValue(cutoff));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<List<(string Name, long Records)>> GroupAsync(DbConnection connection, CaptureQuery query, string column, CancellationToken cancellationToken)
    {
        await using var command = SqlLedgerStore.NewCommand(connection, null, "");
        var sql = new StringBuilder("SELECT ").Append(column).Append(", COUNT(*) FROM capture");
        Where(command, sql, query);
        sql.Append(" GROUP BY ").Append(column).Append(" ORDER BY ").Append(column);
        command.CommandText = sql.ToString();
        var groups = new List<(string Name, long Records)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add((Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!, Long(reader, 1)));
        }

        return groups;
    }

    private void Where(DbCommand command, StringBuilder sql, CaptureQuery query)
    {
        sql.Append(" WHERE ts >= @from AND ts < @to AND level <= @max_level");
        SqlLedgerStore.AddParameter(command, "@from", _ledger.TimestampValue(query.From));
        SqlLedgerStore.AddParameter(command, "@to", _ledger.TimestampValue(query.To));
        SqlLedgerStore.AddParameter(command, "@max_level", (short)query.MaxLevel);
        Filter(command, sql, "key_id", query.KeyId);
        Filter(command, sql, "team_id", query.TeamId);
        Filter(command, sql, "model", query.Model);
    }

    private static void Filter(DbCommand command, StringBuilder sql, string column, string? value)
    {
        if (value is null)
        {
            return;
        }

        sql.Append(" AND ").Append(column).Append(" = @").Append(column);
        SqlLedgerStore.AddParameter(command, "@" + column, value);
    }

    private static long Long(DbDataReader reader, int ordinal) => Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
