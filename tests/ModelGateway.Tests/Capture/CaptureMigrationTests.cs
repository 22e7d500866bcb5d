using Microsoft.Data.Sqlite;
using ModelGateway.Accounting;
using ModelGateway.Tests.Ledger;

namespace ModelGateway.Tests.Capture;

/// <summary>
/// The capture table's migration (0003) applies on a ledger that has 0001 only, or 0001 and a 0002 from another
/// feature: the runner applies every script not yet recorded, whatever the highest recorded version is.
/// </summary>
public sealed class CaptureMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mg-capture-migrate-").FullName;

    public void Dispose() => TempDirectory.Delete(_directory);

    [Theory]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 1, 2 })]
    public async Task The_capture_table_is_added_to_an_existing_ledger(int[] applied)
    {
        var path = Path.Combine(_directory, $"ledger-{applied.Length}.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var setup = connection.CreateCommand();
            setup.CommandText = "CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, applied_at text NOT NULL);" +
                LedgerMigrations.For("sqlite").Single(m => m.Version == 1).Sql +
                string.Concat(applied.Select(v => $"INSERT INTO schema_version VALUES ({v}, 'earlier');"));
            await setup.ExecuteNonQueryAsync();
        }

        var store = new SqliteLedgerStore(path);
        await store.MigrateAsync(default);
        await store.MigrateAsync(default);
        await store.DisposeAsync();

        await using var check = new SqliteConnection($"Data Source={path}");
        await check.OpenAsync();
        await using var command = check.CreateCommand();
        command.CommandText = "SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'capture'), " +
            "(SELECT COUNT(*) FROM schema_version WHERE version = 3), (SELECT COUNT(*) FROM schema_version)";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(1, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt64(1));
        // Every script is recorded once: the ones marked applied and all the others, whatever their numbers.
        Assert.Equal(LedgerMigrations.For("sqlite").Select(m => m.Version).Union(applied).Count(), reader.GetInt64(2));
        SqliteConnection.ClearAllPools();
    }
}
