using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Capture;

/// <summary>The capture suite on PostgreSQL (a fresh database on the test server for each gateway).</summary>
public sealed class PostgresCaptureTests : CaptureBehaviourTests
{
    protected override async Task<string[]> LedgerArgsAsync()
    {
        var variable = "MG_TEST_CAPTURE_PG_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, await PostgresServer.NewDatabaseAsync());
        return ["--ModelGateway:Ledger:Provider=postgres", $"--ModelGateway:Ledger:ConnectionString=env:{variable}"];
    }
}
