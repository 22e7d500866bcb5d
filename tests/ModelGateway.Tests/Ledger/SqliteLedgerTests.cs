using System.Net;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Ledger;

/// <summary>The ledger behaviour suite on the embedded SQLite ledger (a file in a temporary data directory).</summary>
public sealed class SqliteLedgerTests : LedgerBehaviourTests
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("mg-ledger-").FullName;

    protected override void Cleanup() => TempDirectory.Delete(_dataDirectory);

    protected override Task<string[]> LedgerArgsAsync() => Task.FromResult<string[]>([$"--ModelGateway:Ledger:DataDirectory={_dataDirectory}"]);

    [Fact]
    public async Task Spend_and_the_request_log_survive_a_restart()
    {
        Assert.Equal(HttpStatusCode.OK, await AdminFixture.ChatAsync(Gateway, "qwen3"));
        var before = await WaitForRowsAsync(1);
        await Gateway.DisposeAsync();
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "ledger.db")));

        await using var restarted = await StartGatewayAsync(await LedgerArgsAsync());
        using var admin = AdminFixture.AdminClient(restarted);
        var report = await AdminFixture.GetAsync(admin, "/admin/v1/spend?groupBy=key");
        Assert.Equal(1, report["total"]!["requests"]!.GetValue<long>());
        var log = await AdminFixture.GetAsync(admin, "/admin/v1/requests");
        Assert.Equal(before[0]["requestId"]!.GetValue<string>(), Assert.Single(log["data"]!.AsArray())!["requestId"]!.GetValue<string>());
    }
}
