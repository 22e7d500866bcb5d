using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Simulator;
using OpenAI;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>
/// The provider simulator on Kestrel at 127.0.0.1 on a free port. Start one per test (it takes milliseconds)
/// and dispose it at the end.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private SimulatorHost(WebApplication app, string baseUrl)
    {
        App = app;
        BaseUrl = baseUrl;
        State = app.Services.GetRequiredService<SimulatorState>();
    }

    public WebApplication App { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234</c>, no trailing slash; the OpenAI API is under <c>/v1</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Recorded requests, queued faults and aborts of this simulator.</summary>
    public SimulatorState State { get; }

    public static async Task<SimulatorHost> StartAsync(Action<SimulatorOptions>? configure = null)
    {
        var app = SimulatorApp.Build(["--urls=http://127.0.0.1:0"], configure);
        await app.StartAsync();
        var address = app.Urls.First();
        return new SimulatorHost(app, address.TrimEnd('/'));
    }

    /// <summary>The official OpenAI SDK pointed at the simulator, with its own retries off so tests see each status.</summary>
    public OpenAIClient OpenAiClient(string key = "sk-sim-test", int maxRetries = 0) =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(BaseUrl + "/v1"),
            RetryPolicy = new ClientRetryPolicy(maxRetries),
            NetworkTimeout = TimeSpan.FromSeconds(30),
        });

    /// <summary>A raw HTTP client for the simulator; with a key, it sends <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public HttpClient HttpClient(string? key = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded: a test that left a stream or a latency fault running must not hold up the run.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await App.StopAsync(stopping.Token);
        await App.DisposeAsync();
    }
}
