using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>The README's first request works against the shipped quick-start configuration.</summary>
public sealed class QuickstartTests
{
    [Fact]
    public async Task Readme_first_request_works_with_the_quickstart_configuration()
    {
        var file = Path.Combine(RepositoryRoot(), "deploy", "quickstart", "gateway.json");
        var section = JsonNode.Parse(await File.ReadAllTextAsync(file))!["ModelGateway"]!.AsObject();
        await using var simulator = await SimulatorHost.StartAsync(options => options.Name = "simulator");
        section["Providers"]!["simulator"]!["BaseUrl"] = simulator.BaseUrl + "/v1";
        await using var gateway = await GatewayHost.StartAsync(section);
        using var http = gateway.HttpClient("mg-quickstart-key");

        using var response = await http.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"qwen3","messages":[{"role":"user","content":"Hello!"}]}""", Encoding.UTF8, "application/json"));
        using var models = await http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("simulator", body.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("simulator", response.Headers.GetValues("x-gateway-provider").Single());
        Assert.Equal("qwen3-simulated", response.Headers.GetValues("x-gateway-deployment").Single());
        var ids = JsonDocument.Parse(await models.Content.ReadAsStringAsync()).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString());
        Assert.Equal(["embed-small", "fast", "qwen3"], ids);

        // docs/api.md's legacy completions example.
        using var completion = await http.PostAsync("/v1/completions",
            new StringContent("""{"model":"qwen3","prompt":"Once upon a time","max_tokens":16}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
        using var text = JsonDocument.Parse(await completion.Content.ReadAsStringAsync());
        Assert.Equal("text_completion", text.RootElement.GetProperty("object").GetString());
        Assert.StartsWith("simulator says", text.RootElement.GetProperty("choices")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ModelGateway.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ModelGateway.sln not found above the test directory.");
    }
}
