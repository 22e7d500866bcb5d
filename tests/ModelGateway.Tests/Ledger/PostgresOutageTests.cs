using System.Collections.Concurrent;
using System.Net;
using System.Text;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Infrastructure;
using Npgsql;

namespace ModelGateway.Tests.Ledger;

/// <summary>
/// PostgreSQL dies mid-load (<c>pg_ctl stop -m immediate</c>), the gateway keeps serving and spools rows to local disk,
/// the gateway itself restarts during the outage, and when the database returns every request is there exactly once.
/// </summary>
public sealed class PostgresOutageTests : IAsyncLifetime
{
    private const string Variable = "MG_TEST_LEDGER_PG_OUTAGE";
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("mg-ledger-spool-").FullName;
    private SimulatorHost _simulator = null!;
    private PostgresServer _postgres = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync();
        _postgres = await PostgresServer.StartAsync();
        Environment.SetEnvironmentVariable(Variable, _postgres.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
        await _simulator.DisposeAsync();
        TempDirectory.Delete(_dataDirectory);
    }

    [Fact]
    public async Task Killing_postgres_mid_load_and_restarting_it_and_the_gateway_leaves_exactly_one_row_per_request()
    {
        var sent = new ConcurrentBag<string>();
        var served = 0;
        var gateway = await StartGatewayAsync();
        try
        {
            using var load = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 4).Select(_ => SendUntilAsync(gateway, sent, () => Interlocked.Increment(ref served), load.Token)).ToArray();
            await WaitUntilAsync(() => sent.Count >= 60);
            await _postgres.KillAsync();
            var atKill = sent.Count;
            await WaitUntilAsync(() => sent.Count >= atKill + 60);
            await load.CancelAsync();
            await Task.WhenAll(senders);
        }
        finally
        {
            // Stopped while the database is away: what is queued goes to the spool file.
            await gateway.DisposeAsync();
        }

        // A new gateway on the same data directory, still without a database, serving more requests.
        await using var second = await StartGatewayAsync();
        using (var client = second.HttpClient())
        {
            for (var i = 0; i < 20; i++)
            {
                await SendOneAsync(client, sent, () => Interlocked.Increment(ref served));
            }
        }

        await _postgres.RestartAsync();
        await using var connection = new NpgsqlConnection(_postgres.ConnectionString);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        List<string> stored;
        while (true)
        {
            stored = await StoredIdsAsync(connection);
            if (stored.Count >= sent.Count || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(200);
        }

        Assert.Equal(sent.Count, stored.Count);
        Assert.Equal(sent.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        await using var rollup = new NpgsqlCommand("SELECT COALESCE(SUM(requests), 0) FROM daily_spend", connection);
        Assert.Equal(served, Convert.ToInt32(await rollup.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    private Task<GatewayHost> StartGatewayAsync() =>
        GatewayHost.StartAsync(
            TestConfig.Gateway()
                .WithProvider("sim", _simulator.BaseUrl + "/v1", responseTimeout: "00:00:05")
                .WithDeployment("qwen-sim", "sim", ["qwen3"]),
            [
                .. AdminFixture.AdminArgs(storePath: null),
                "--ModelGateway:Ledger:Provider=postgres",
                $"--ModelGateway:Ledger:ConnectionString=env:{Variable}",
                $"--ModelGateway:Ledger:DataDirectory={_dataDirectory}",
                "--ModelGateway:Ledger:BatchSize=16",
            ]);

    private static async Task SendUntilAsync(GatewayHost gateway, ConcurrentBag<string> sent, Action onServed, CancellationToken stop)
    {
        using var client = gateway.HttpClient();
        while (!stop.IsCancellationRequested)
        {
            await SendOneAsync(client, sent, onServed);
        }
    }

    private static async Task SendOneAsync(HttpClient client, ConcurrentBag<string> sent, Action onServed)
    {
        using var response = await client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"qwen3","messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsStringAsync();
        sent.Add(response.Headers.GetValues("x-request-id").Single());
        onServed();
    }

    private static async Task<List<string>> StoredIdsAsync(NpgsqlConnection connection)
    {
        try
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                await connection.OpenAsync();
            }

            await using var select = new NpgsqlCommand("SELECT request_id FROM request_log", connection);
            await using var reader = await select.ExecuteReaderAsync();
            var ids = new List<string>();
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }

            return ids;
        }
        catch (NpgsqlException)
        {
            await connection.CloseAsync();
            return [];
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The load did not progress.");
            await Task.Delay(10);
        }
    }
}
