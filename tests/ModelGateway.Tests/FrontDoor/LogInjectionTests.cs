using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Hosting;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>
/// Client-controlled strings cannot forge log lines (issue 12, finding 7): the text log, as the console shows it,
/// has every control character of a value escaped, so each event stays one line.
/// </summary>
public sealed class LogInjectionTests : IAsyncLifetime, IDisposable
{
    private const string Forged = "[00:00:00 INF] FORGED";
    private readonly StringWriter _console = new();
    private SimulatorHost _simulator = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway()
            .WithProvider("sim", _simulator.BaseUrl + "/v1")
            .WithDeployment("qwen-sim", "sim", ["qwen3"]);
        _gateway = await GatewayHost.StartAsync(
            config,
            builder => builder.Services.AddSingleton(new ConsoleLogOutput(_console)),
            "--Serilog:MinimumLevel:Default=Information");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    public void Dispose() => _console.Dispose();

    [Fact]
    public async Task Control_characters_in_a_model_or_path_cannot_start_a_log_line()
    {
        using var http = _gateway.HttpClient();
        string[] models = ["x\n" + Forged, "x\r\n" + Forged, "x\u2028" + Forged, "x\u001b[2K\r" + Forged, "x\u0085" + Forged];
        foreach (var model in models)
        {
            var body = "{\"model\":" + System.Text.Json.JsonSerializer.Serialize(model) + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
            using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using var path = await http.GetAsync("/v1/x%0A%5B00:00:00%20INF%5D%20FORGED");

        // The request lines are written when each response has been sent; wait for all six.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string text;
        while (Count(text = Text(), " 404 key=") < models.Length + 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(Count(text, " 404 key=") == models.Length + 1, text);
        var lines = text.Split(['\n', '\r', '\u2028', '\u2029', '\u0085']);
        Assert.DoesNotContain(lines, line => line.Contains(Forged, StringComparison.Ordinal) && !line.StartsWith('['));
        Assert.DoesNotContain(lines, line => line.StartsWith(Forged, StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', text);
        Assert.Contains("model=x\\n" + Forged, text, StringComparison.Ordinal);
        Assert.Contains("model=x\\u001b[2K\\r" + Forged, text, StringComparison.Ordinal);
        Assert.Contains("/v1/x\\n" + Forged, text, StringComparison.Ordinal);
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private string Text()
    {
        lock (_console)
        {
            return _console.ToString();
        }
    }
}
