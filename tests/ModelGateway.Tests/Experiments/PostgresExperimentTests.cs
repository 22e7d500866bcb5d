using System.Globalization;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using static ModelGateway.Tests.Experiments.ExperimentTestConfig;

namespace ModelGateway.Tests.Experiments;

/// <summary>The experiment pairs and the daily shadow spend in the PostgreSQL ledger (migration 0002), as in SQLite.</summary>
public sealed class PostgresExperimentTests
{
    [Fact]
    public async Task Pairs_and_the_spend_cap_work_on_the_postgres_ledger()
    {
        var variable = "MG_TEST_EXP_PG_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, await PostgresServer.NewDatabaseAsync());
        string[] ledger = ["--ModelGateway:Ledger:Provider=postgres", $"--ModelGateway:Ledger:ConnectionString=env:{variable}"];
        await using var sim = await SimulatorHost.StartAsync(o => o.Profiles["wrong-model"] = new AnswerProfile { WrongToolShare = 1 });
        var config = Gateway(sim)
            .WithDeployment("faithful", "local", ["faithful"], upstreamModel: "faithful-model", input: 0.1m, output: 0.2m)
            .WithDeployment("wrong", "local", ["wrong"], upstreamModel: "wrong-model", input: 0.1m, output: 0.2m)
            .WithExperiment("pg", ["faithful", "wrong"], concurrency: 1, spendPerDay: 0.0000001m);
        var (gateway, admin) = await StartAsync(config, ledger);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        // One worker, one request at a time: the first request's two calls are admitted, and spend the day's tiny cap.
        await SendAsync(http, 5, i => Chat("Weather, case " + i.ToString(CultureInfo.InvariantCulture), tools: true), parallel: 1);
        var report = await ReportAsync(admin, "pg", 10);

        var faithful = Candidate(report, "faithful");
        var wrong = Candidate(report, "wrong");
        Assert.Equal(1, faithful["compared"]!.GetValue<int>());
        Assert.Equal(4, faithful["outcomes"]!["skipped_budget"]!.GetValue<int>());
        Assert.Equal(1.0, Rate(faithful, "toolCalls.sameFunction.rate"));
        Assert.Equal(5, wrong["outcomes"]!["skipped_budget"]!.GetValue<int>() + wrong["compared"]!.GetValue<int>());
        Assert.True(Rate(faithful, "shadowSpendUsd") > 0);
        Assert.Equal(1, sim.State.Received.Count(r => r.Body.Contains("faithful-model", StringComparison.Ordinal)));
    }
}
