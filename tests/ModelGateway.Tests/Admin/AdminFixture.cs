using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.FrontDoor;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Admin;

/// <summary>
/// A simulator as a self-hosted provider and a gateway with the admin API on (a file store in a temp directory),
/// serving "qwen3" through deployment "qwen-sim". Each test gets its own pair.
/// </summary>
public abstract class AdminFixture : IAsyncLifetime
{
    public const string AdminKey = "mg-admin-key-ops";
    public const string ReadOnlyKey = "mg-admin-key-viewer";
    public const string ProviderKeyVariable = "MG_TEST_ADMIN_SIM_KEY";

    protected SimulatorHost Simulator { get; private set; } = null!;

    protected GatewayHost Gateway { get; set; } = null!;

    protected string StorePath { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(ProviderKeyVariable, "sk-admin-sim");
        Simulator = await SimulatorHost.StartAsync(o => o.Name = "sim");
        StorePath = Directory.CreateTempSubdirectory("mg-admin-store-").FullName;
        Gateway = await StartGatewayAsync(BaseConfig(Simulator.BaseUrl), StorePath);
        Admin = AdminClient(Gateway);
    }

    public virtual async Task DisposeAsync()
    {
        Admin.Dispose();
        await Gateway.DisposeAsync();
        await Simulator.DisposeAsync();
        try
        {
            Directory.Delete(StorePath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static JsonObject BaseConfig(string simulatorUrl) => TestConfig.Gateway()
        .WithProvider("sim", simulatorUrl + "/v1", credential: "env:" + ProviderKeyVariable)
        .WithDeployment("qwen-sim", "sim", ["qwen3"], upstreamModel: "Qwen/Qwen3-32B", input: 0.5m, output: 1.5m);

    public static Task<GatewayHost> StartGatewayAsync(JsonObject config, string storePath, params string[] extraArgs) =>
        GatewayHost.StartAsync(config, [.. AdminArgs(storePath), .. extraArgs]);

    public static string[] AdminArgs(string? storePath) =>
    [
        $"--Admin:Keys:ops:Sha256={ClientAuthenticationMiddleware.HashKey(AdminKey)}",
        $"--Admin:Keys:viewer:Sha256={ClientAuthenticationMiddleware.HashKey(ReadOnlyKey)}",
        "--Admin:Keys:viewer:ReadOnly=true",
        .. storePath is null ? Array.Empty<string>() : [$"--Admin:StorePath={storePath}"],
    ];

    public static HttpClient AdminClient(GatewayHost gateway, string? key = AdminKey) => gateway.HttpClient(key);

    public static StringContent Json(JsonNode node, string mediaType = "application/json") =>
        new(node.ToJsonString(), Encoding.UTF8, mediaType);

    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? [] : JsonNode.Parse(text)!.AsObject();
    }

    public static async Task<JsonObject> SendAsync(HttpClient client, HttpMethod method, string path, JsonNode? body, HttpStatusCode expected, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = Json(body, method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        using var response = await client.SendAsync(request);
        return await ReadAsync(response, expected);
    }

    public static Task<JsonObject> GetAsync(HttpClient client, string path, HttpStatusCode expected = HttpStatusCode.OK) =>
        SendAsync(client, HttpMethod.Get, path, null, expected);

    /// <summary>One chat completion through the gateway with the test client key; returns the status.</summary>
    public static async Task<HttpStatusCode> ChatAsync(GatewayHost gateway, string model, string key = TestConfig.ClientKey)
    {
        using var client = gateway.HttpClient(key);
        using var response = await client.PostAsJsonAsync("/v1/chat/completions",
            new { model, messages = new[] { new { role = "user", content = "hello" } } });
        return response.StatusCode;
    }

    /// <summary>The model name a provider received.</summary>
    public static string ModelOf(ModelGateway.Simulator.ReceivedRequest request) =>
        JsonNode.Parse(request.Body)!["model"]!.GetValue<string>();

    /// <summary>The field names of a problem's <c>errors</c>.</summary>
    public static string[] ErrorFields(JsonObject problem) =>
        [.. problem["errors"]!.AsObject().Select(p => p.Key)];

    public static string AllErrors(JsonObject problem) => problem["errors"]?.ToJsonString() ?? "";
}
