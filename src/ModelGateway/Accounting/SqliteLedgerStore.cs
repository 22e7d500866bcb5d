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

    protected override object Timestamp(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    protected override DateTimeOffset ReadTimestamp(DbDataReader reader, int ordinal) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    protected override object Day(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    protected override string ReadDay(DbDataReader reader, int ordinal) => reader.GetString(ordinal);

    public override ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so the directory can be removed.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
