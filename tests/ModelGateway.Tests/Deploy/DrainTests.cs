using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// Graceful drain with a real process and a real SIGTERM: the published gateway run with <c>dotnet</c>, as a container
/// or systemd runs it.
/// </summary>
public sealed class DrainTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Sigterm_fails_readyz_serves_through_the_grace_period_then_refuses_connections_while_the_stream_finishes()
    {
        var directory = await PublishedBuild.GatewayAsync();
        // A stream of 48 chunks, 250 ms apart: about 12 s, well past the grace period.
        await using var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.DefaultChunks = 48;
            o.ChunkDelayMs = 250;
        });
        var config = await WriteConfigAsync(simulator);
        await using var gateway = await GatewayProcess.StartAsync(directory, config,
            ("ModelGateway__Shutdown__GracePeriod", "00:00:04"), ("ModelGateway__Shutdown__DrainTimeout", "00:00:30"));
        using var streaming = Client(gateway);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await streaming.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var firstEvent = await reader.ReadLineAsync();
        Assert.StartsWith("data: {", firstEvent, StringComparison.Ordinal);

        await gateway.SignalAsync("TERM");
        var signalled = Stopwatch.StartNew();
        var rest = Task.Run(async () => (Text: await reader.ReadToEndAsync(), At: signalled.Elapsed));

        // Within the grace period: not ready, but still serving, on new connections.
        using var readyz = await FreshGetAsync(gateway, "/readyz", signalled, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyz.StatusCode);
        Assert.Equal("""{"status":"draining"}""", await readyz.Content.ReadAsStringAsync());
        using var models = await FreshGetAsync(gateway, "/v1/models", signalled, TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.True(signalled.Elapsed < Grace, $"the in-grace requests took {signalled.Elapsed}; the machine is too slow for this check");

        // After the grace period: the listener is closed (connection refused) while the stream is still in flight.
        await Task.Delay(Grace + TimeSpan.FromSeconds(1.5) - signalled.Elapsed);
        var refused = await ConnectErrorAsync(gateway.Port);
        var refusedAt = signalled.Elapsed;
        Assert.False(gateway.HasExited, "the gateway exited before its stream finished:\n" + gateway.Output);
        Assert.Equal(SocketError.ConnectionRefused, refused);

        var (text, doneAt) = await rest;
        Assert.EndsWith("data: [DONE]", text.TrimEnd(), StringComparison.Ordinal);
        Assert.True(doneAt > refusedAt, $"the stream ended at {doneAt}, before the refusal check at {refusedAt}: nothing was in flight");
        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)), "the gateway did not exit after draining");
        Assert.Equal(0, gateway.ExitCode);
    }

    [Fact]
    public async Task A_stream_longer_than_the_drain_timeout_is_cut_and_the_process_exits_in_time()
    {
        var directory = await PublishedBuild.GatewayAsync();
        await using var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.DefaultChunks = 200;
            o.ChunkDelayMs = 250;
        });
        var config = await WriteConfigAsync(simulator);
        await using var gateway = await GatewayProcess.StartAsync(directory, config,
            ("ModelGateway__Shutdown__GracePeriod", "00:00:00"), ("ModelGateway__Shutdown__DrainTimeout", "00:00:02"));
        using var streaming = Client(gateway);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using var response = await streaming.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: {", await reader.ReadLineAsync(), StringComparison.Ordinal);

        await gateway.SignalAsync("TERM");
        var signalled = Stopwatch.StartNew();

        Assert.True(await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)), "the gateway did not stop at the drain timeout");
        Assert.InRange(signalled.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(15));
        var rest = await ReadRestAsync(reader);
        Assert.DoesNotContain("data: [DONE]", rest, StringComparison.Ordinal);
    }

    private static async Task<string> ReadRestAsync(StreamReader reader)
    {
        try
        {
            return await reader.ReadToEndAsync();
        }
        catch (IOException)
        {
            return "";
        }
        catch (HttpRequestException)
        {
            return "";
        }
    }

    private static async Task<string> WriteConfigAsync(SimulatorHost simulator)
    {
        var section = TestConfig.Gateway().WithProvider("sim", simulator.BaseUrl + "/v1").WithDeployment("d", "sim", ["m"]);
        var path = Path.Combine(Path.GetTempPath(), $"mg-drain-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, new JsonObject { ["ModelGateway"] = section }.ToJsonString());
        return path;
    }

    private static HttpClient Client(GatewayProcess gateway)
    {
        var client = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestConfig.ClientKey);
        return client;
    }

    /// <summary>A GET on a new connection; the first one may race the signal handler, so it is retried until readyz says draining.</summary>
    private static async Task<HttpResponseMessage> FreshGetAsync(GatewayProcess gateway, string path, Stopwatch signalled, TimeSpan settle)
    {
        while (true)
        {
            using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = TimeSpan.FromSeconds(5) };
            client.DefaultRequestHeaders.Authorization = new("Bearer", TestConfig.ClientKey);
            var response = await client.GetAsync(gateway.BaseUrl + path);
            if (path != "/readyz" || response.StatusCode != HttpStatusCode.OK || signalled.Elapsed > settle)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(20);
        }
    }

    private static async Task<SocketError> ConnectErrorAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(IPAddress.Loopback, port);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
    }
}
