using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Hosting;
using OpenAI;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>
/// The real gateway on Kestrel at 127.0.0.1 on a free port, configured from a JSON file written for the test
/// (the same path a user takes with <c>--config</c>).
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly string _configDirectory;

    private GatewayHost(WebApplication app, string baseUrl, string configPath, string configDirectory)
    {
        App = app;
        BaseUrl = baseUrl;
        ConfigPath = configPath;
        _configDirectory = configDirectory;
    }

    public WebApplication App { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>, no trailing slash.</summary>
    public string BaseUrl { get; }

    public string ConfigPath { get; }

    /// <summary>Starts a gateway with the given <c>ModelGateway</c> section and extra command-line arguments.</summary>
    public static Task<GatewayHost> StartAsync(JsonObject gatewaySection, params string[] extraArgs) =>
        StartAsync(gatewaySection, configure: null, extraArgs);

    /// <param name="gatewaySection">The <c>ModelGateway</c> section; see <see cref="TestConfig"/>.</param>
    /// <param name="configure">Changes to the host before it is built, e.g. a log capture.</param>
    /// <param name="extraArgs">More command-line arguments, e.g. configuration overrides.</param>
    public static async Task<GatewayHost> StartAsync(JsonObject gatewaySection, Action<WebApplicationBuilder>? configure, params string[] extraArgs)
    {
        var directory = Directory.CreateTempSubdirectory("mg-test-").FullName;
        var configPath = Path.Combine(directory, "gateway.json");
        var document = new JsonObject
        {
            ["ModelGateway"] = gatewaySection.DeepClone(),
            ["Serilog"] = new JsonObject { ["MinimumLevel"] = new JsonObject { ["Default"] = "Warning" } },
        };
        await File.WriteAllTextAsync(configPath, document.ToJsonString());

        // Each gateway keeps its ledger in its own directory unless the test names one (replicas sharing a ledger).
        string[] args = ["--urls=http://127.0.0.1:0", $"--config={configPath}", $"--ModelGateway:Ledger:DataDirectory={Path.Combine(directory, "data")}", .. extraArgs];
        var app = GatewayApp.Build(args, configure);
        await app.StartAsync();
        var address = app.Urls.First();
        return new GatewayHost(app, address.TrimEnd('/'), configPath, directory);
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>The official OpenAI SDK pointed at the gateway, with its own retries off so tests see each status.</summary>
    public OpenAIClient OpenAiClient(string key = TestConfig.ClientKey, int maxRetries = 0) =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(BaseUrl + "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        });

    /// <summary>A raw HTTP client for the gateway, authenticated with the test key.</summary>
    public HttpClient HttpClient(string? key = TestConfig.ClientKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_configDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }
}
