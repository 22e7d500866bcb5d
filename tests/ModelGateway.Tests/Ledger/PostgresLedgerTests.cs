using ModelGateway.Accounting;
using ModelGateway.Tests.Infrastructure;
using Npgsql;

namespace ModelGateway.Tests.Ledger;

/// <summary>The ledger behaviour suite on PostgreSQL (a fresh database on the test server), plus the migration lock.</summary>
public sealed class PostgresLedgerTests : LedgerBehaviourTests
{
    protected override async Task<string[]> LedgerArgsAsync()
    {
        var variable = "MG_TEST_LEDGER_PG_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, await PostgresServer.NewDatabaseAsync());
        return ["--ModelGateway:Ledger:Provider=postgres", $"--ModelGateway:Ledger:ConnectionString=env:{variable}"];
    }

    [Fact]
    public async Task A_literal_connection_string_is_refused_at_start_up_without_echoing_it()
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => StartGatewayAsync(
            ["--ModelGateway:Ledger:Provider=postgres", "--ModelGateway:Ledger:ConnectionString=Host=db;Password=hunter2"]));
        Assert.Contains("ModelGateway:Ledger:ConnectionString must be 'env:NAME' or 'file:/path'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replicas_starting_together_apply_each_migration_once()
    {
        var connectionString = await PostgresServer.NewDatabaseAsync();
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgresLedgerStore(connectionString)).ToArray();
        try
        {
            // Without the advisory lock, concurrent CREATE TABLEs fail with "already exists" or a pg_type unique violation.
            await Task.WhenAll(stores.Select(s => s.MigrateAsync(default)));
            await Task.WhenAll(stores.Select(s => s.MigrateAsync(default)));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var versions = new NpgsqlCommand("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_version", connection);
        await using var reader = await versions.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(LedgerMigrations.For("postgres").Count(), reader.GetInt64(0));
        Assert.Equal(reader.GetInt64(0), reader.GetInt64(1));
    }
}
