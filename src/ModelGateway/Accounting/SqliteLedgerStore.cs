using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ModelGateway.Accounting;

/// <summary>
/// The embedded ledger: <c>ledger.db</c> in the data directory, in WAL mode so reports read while the writer writes.
/// <c>synchronous=NORMAL</c>: a committed batch survives a gateway crash; only an OS crash can lose the last batches.
/// </summary>
internal sealed class SqliteLedgerStore : SqlLedgerStore
{
    private readonly string _connectionString;
    private readonly DatabaseThreads _threads = new("ledger-sqlite", count: 2);

    public SqliteLedgerStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public override bool IsRemote => false;

    protected override string Dialect => "sqlite";

    internal override Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken) =>
        _threads.RunAsync(work, cancellationToken);

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    // SqliteConnection.BeginTransaction is BEGIN IMMEDIATE: it already takes the database's write lock.
    protected override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// One prepared single-row statement run per row: SQLite is in-process, so round trips cost nothing, and binding
    /// thousands of named parameters of a multi-row statement is quadratic (each name is looked up by a linear scan).
    /// </summary>
    protected override async Task<int> StoreAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken)
    {
        var inserted = await InsertAsync(connection, transaction, rows, cancellationToken);
        await UpsertRollupsAsync(connection, transaction, rows, inserted, cancellationToken);
        return inserted.Count;
    }

    private async Task<HashSet<string>> InsertAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using var insert = (SqliteCommand)Command(connection, transaction, SingleRowInsertSql);
        var parameters = new SqliteParameter[ColumnCount];
        for (var i = 0; i < ColumnCount; i++)
        {
            parameters[i] = new SqliteParameter { ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture) };
            insert.Parameters.Add(parameters[i]);
        }

        insert.Prepare();
        foreach (var row in rows)
        {
            var values = Values(row);
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
            {
                inserted.Add(row.RequestId);
            }
        }

        return inserted;
    }

    protected override object Timestamp(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    protected override object Day(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    protected override string ReadDay(DbDataReader reader, int ordinal) => reader.GetString(ordinal);

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the directory can be removed.
        _threads.Dispose();
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
