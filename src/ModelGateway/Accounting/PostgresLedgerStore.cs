using System.Data.Common;
using Npgsql;

namespace ModelGateway.Accounting;

/// <summary>The ledger in PostgreSQL, shared by every replica. Migrations run under a transaction-scoped advisory lock.</summary>
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
