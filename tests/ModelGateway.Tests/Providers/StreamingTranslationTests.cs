using System.ClientModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using OpenAI.Chat;

namespace ModelGateway.Tests.Providers;

/// <summary>Streaming through the translating adapters: no buffering, failures before and after the first byte, disconnects.</summary>
public sealed class StreamingTranslationTests
{
    private const int ChunkDelayMs = 300;

    [Theory]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    [InlineData("azure-openai")]
    [InlineData("openai")]
    public async Task Each_translated_chunk_reaches_the_client_as_soon_as_its_source_event_arrives(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind, config =>
            config["Providers"]!["native"]!["Headers"] = new JsonObject { ["x-sim-chunk-delay-ms"] = ChunkDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            defaultChunks: 4);
        using var http = host.Gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"tick"}]}""", Encoding.UTF8, "application/json"),
        };

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);
        var clock = Stopwatch.StartNew();
        var arrivals = new List<TimeSpan>();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
            {
                arrivals.Add(clock.Elapsed);
            }
        }

        // The simulator sends a word every 300 ms; a buffering gateway would deliver them together.
        Assert.Equal(4, arrivals.Count);
        for (var i = 1; i < arrivals.Count; i++)
        {
            var gap = arrivals[i] - arrivals[i - 1];
            Assert.True(gap >= TimeSpan.FromMilliseconds(ChunkDelayMs * 0.4), $"chunk {i} came {gap.TotalMilliseconds:0} ms after the previous one");
        }
    }

    [Theory]
    [InlineData("anthropic", 529)]
    [InlineData("gemini", 503)]
    [InlineData("anthropic", 429)]
    public async Task Retryable_provider_errors_fall_back_to_the_next_deployment(string kind, int status)
    {
        await using var host = await ProviderKindHost.StartAsync(kind, config =>
        {
            AddBackup(config);
        });
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = status });

        var fragments = new StringBuilder();
        await foreach (var update in host.Gateway.OpenAiClient().GetChatClient("m").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            fragments.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.StartsWith("sim says", fragments.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, host.Simulator.State.Received.Count);
        Assert.Equal("/v1/chat/completions", host.Simulator.State.Received[1].Path);
    }

    /// <summary>A second, OpenAI-format deployment of "m" on the same simulator, tried after the native one.</summary>
    private static void AddBackup(JsonObject config)
    {
        var nativeUrl = config["Providers"]!["native"]!["BaseUrl"]!.GetValue<string>();
        ProviderKindHost.AddProvider(config, "backup", "openai", nativeUrl[..nativeUrl.LastIndexOf('/')]);
        config["Deployments"]!["backup-m"] = new JsonObject
        {
            ["Provider"] = "backup", ["Models"] = new JsonArray("m"), ["UpstreamModel"] = "sim-small", ["Priority"] = 1,
            ["Price"] = new JsonObject { ["InputPerMillion"] = 1, ["OutputPerMillion"] = 2 },
        };
    }

    [Fact]
    public async Task Azure_content_filter_is_a_400_that_is_not_retried()
    {
        await using var host = await ProviderKindHost.StartAsync("azure-openai");
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 400 });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => host.Gateway.OpenAiClient().GetChatClient("m").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(400, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString());
        Assert.Equal("content_filter", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Single(host.Simulator.State.Received);
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task A_stream_cut_after_it_started_ends_with_an_error_event_and_partial_usage_is_kept(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.CutStream, AfterChunks = 3 });
        using var http = host.Gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(200, (int)response.StatusCode);
        using var last = JsonDocument.Parse(events[^1]["data: ".Length..]);
        Assert.Equal("upstream_stream_interrupted", last.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("data: [DONE]", events);
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task A_stream_that_breaks_before_any_event_falls_back(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind, config =>
        {
            AddBackup(config);
        });
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.TruncateStream, AfterChunks = 0 });

        var text = new StringBuilder();
        await foreach (var update in host.Gateway.OpenAiClient().GetChatClient("m").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.StartsWith("sim says", text.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, host.Simulator.State.Received.Count);
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task A_client_that_goes_away_cancels_the_upstream_stream(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind, config =>
            config["Providers"]!["native"]!["Headers"] = new JsonObject { ["x-sim-chunk-delay-ms"] = "200" }, defaultChunks: 50);
        using var http = host.Gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"),
        };
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[256];
            Assert.True(await body.ReadAsync(buffer) > 0);
        }

        await host.Simulator.State.WaitForAbortAsync(TimeSpan.FromSeconds(10));
    }
}
